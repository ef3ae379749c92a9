"""Teman IKD: a guide that walks elderly residents of Kota Serang through activating IKD.

The package is split by responsibility (functional core, imperative shell):

- ``bot.flow``: loads and validates the dialog data in ``dialogs/`` (no I/O beyond reading files).
- ``bot.engine``: the pure dialog engine, built on ``transitions`` (no I/O, no Telegram, no babel).
- ``bot.understanding``: reading what residents write (a reader trained on ``dialogs/understanding``;
  its ``training`` module is the shell that fits it in a child process and caches the model).
- ``bot.redaction``: pure secret masking.
- ``bot.i18n`` / ``bot.render``: gettext catalogs and turning engine effects into sentences.
- ``bot.store``: all SQL (SQLite by default).
- ``bot.guide``: the shell that ties one input to one transaction.
- ``bot.telegram`` / ``bot.emulator``: the Telegram adapter and the local Bot API emulator.
"""

__version__ = "0.1.0"
