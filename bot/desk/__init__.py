"""The operator desk: tickets, one forum topic per resident, relays both ways, service levels.

``service`` holds the desk's decisions and works on any transport (simulate uses it directly);
``cards`` writes what operators read (ticket cards, topic titles, queue, statistics);
``telegram`` is the forum-supergroup side (topics, commands, buttons); ``sla`` reminds people.
"""

from bot.desk.service import DeskService, Operator, OperatorChannel, SilentChannel

__all__ = ["DeskService", "Operator", "OperatorChannel", "SilentChannel"]
