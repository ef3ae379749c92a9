"""The Telegram shell: python-telegram-bot in, guide calls and Bot API calls out.

settings (frozen config), logs (token and secret filtering), inbox (durable update queue),
outage (what is held back and retried while the database refuses writes), processor (per-chat ordering), adapter
(updates -> guide inputs), delivery (outbox -> Bot API, rate limits, retries), flood, maintenance
(retention), app (wiring), run / demo (entry points). Nothing here decides what to say.
"""
