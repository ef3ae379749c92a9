"""The Telegram shell: python-telegram-bot in, guide calls and Bot API calls out.

settings (frozen config), logs (token and secret filtering), inbox (durable update queue),
turn (group commit of one turn of the event loop), processor (per-chat ordering), adapter
(updates -> guide inputs), delivery (outbox -> Bot API, rate limits, retries), flood, maintenance
(retention), app (wiring), run / demo (entry points). Nothing here decides what to say.
"""

import os as _os

# Opt in to python-telegram-bot's timedelta durations now (RetryAfter.retry_after and friends);
# the int form is deprecated since v22.2. Must be set before telegram is imported.
_os.environ.setdefault("PTB_TIMEDELTA", "1")
