"""The operator desk: tickets, one forum topic per resident, relays both ways, service levels.

``port`` is the desk's only boundary with the guide (what each asks of the other);
``service`` holds the desk's decisions and works on any transport (simulate uses it directly);
``channel`` is how it reaches operators; ``views`` the texts operators ask for (queue,
statistics, history); ``cards`` writes what operators read (ticket cards, topic titles);
``review`` the outcome buttons and ratings; ``routing`` which kecamatan group serves whom;
``safeguards`` what an operator must not ask a resident; ``telegram`` and ``operators`` are the
forum-supergroup side (sending topics and cards; reading commands, replies and buttons).
"""

from bot.desk.channel import Operator, OperatorChannel, SilentChannel
from bot.desk.service import DeskService

__all__ = ["DeskService", "Operator", "OperatorChannel", "SilentChannel"]
