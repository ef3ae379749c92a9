"""Before ``teman-ikd run`` starts polling: can the Bot API be reached, and does it accept the token?

python-telegram-bot finds both out in ``Application.initialize`` and then logs the exception
with a traceback (hundreds of lines, the token in the message). One getMe call here, on a bot
object of its own that is closed at once, turns each case into one line that names neither the
token nor anything secret.
"""

from __future__ import annotations

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from bot.telegram.settings import Settings


async def api_problem(settings: Settings, timeout: float = 15.0) -> str | None:
    """None if getMe succeeds; else one line saying what is wrong and what to do."""
    bot = Bot(settings.token.reveal(), base_url=settings.base_url, base_file_url=settings.base_file_url,
              request=HTTPXRequest(connect_timeout=timeout, read_timeout=timeout))
    try:
        async with bot:  # initialize() asks getMe
            pass
    except InvalidToken:
        return ("Telegram rejected TEMAN_IKD_TOKEN (401/404): copy the token from @BotFather again, "
                f"and check TEMAN_IKD_API_URL ({settings.api_url})")
    except TimedOut:
        return (f"the Bot API at {settings.api_url} did not answer in {timeout:.0f} s: "
                "check the network or TEMAN_IKD_API_URL")
    except NetworkError as exc:
        return (f"cannot reach the Bot API at {settings.api_url} ({_first_line(exc, settings)}): check the "
                "network or TEMAN_IKD_API_URL")
    except TelegramError as exc:
        return (f"the Bot API at {settings.api_url} refused getMe ({_first_line(exc, settings)}): "
                "check TEMAN_IKD_API_URL")
    return None


def _first_line(exc: Exception, settings: Settings) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text.replace(settings.token.reveal(), "<token>")[:160]
