"""Follow-through and the supervisors' view (issue 13).

- ``plan``: the reminder schedule and the activation targets, as read from the region file;
- ``schedule``: when a reminder may go (never at night or on a holiday; office hours for the office);
- ``journey``: which anonymous journey events one handled input produces (pure);
- ``funnel``: the figures supervisors read, computed from the store's aggregate rows (pure);
- ``charts``: the funnel and weekly activations as a PNG or SVG (matplotlib, Agg);
- ``report``: ``teman-ikd report``; ``dashboard``: ``teman-ikd dashboard`` (tornado, read-only).

Nothing here reads a name, a chat id or a transcript line: the store's journey table has none
of them in the columns the aggregates read (bot/store/journey.py).
"""
