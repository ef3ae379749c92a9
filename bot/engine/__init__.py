"""The pure dialog engine: a conversation snapshot and one input in, a new snapshot and effects out.

No I/O happens here: no Telegram, no database, no babel. The shell (``bot.guide``) loads the
snapshot, calls :meth:`Engine.step`, renders the effects and stores the result in one transaction.
"""

from bot.engine.conversation import Conversation, Input, ShownButton
from bot.engine.effects import DeleteInput, Effect, EndHandoff, EraseData, Escalate, Relay, Remind, Say
from bot.engine.engine import Engine, Step

__all__ = [
    "Conversation", "DeleteInput", "Effect", "EndHandoff", "Engine", "EraseData", "Escalate", "Input",
    "Relay", "Remind", "Say", "ShownButton", "Step",
]
