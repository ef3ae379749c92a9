"""The Telegram shell: python-telegram-bot in, guide calls and Bot API calls out.

settings (frozen config), logs (token and secret filtering), inbox (durable update queue),
processor (per-chat ordering), adapter (updates -> guide inputs), delivery (outbox -> Bot API,
rate limits, retries), app (wiring), run / demo (entry points). Nothing here decides what to say.
"""
