"""Local Telegram Bot API emulator for tests and demos (loopback HTTP, spec-checked).

Typical use::

    with Emulator(limits=Limits(time_scale=10)) as emu:
        app = ApplicationBuilder().token(emu.token).base_url(emu.base_url)...
        siti = emu.resident("Siti")
        siti.command("start")
        siti.wait_for(1)
"""

from .botapi import Stats
from .emulator import DEFAULT_TOKEN, Emulator
from .errors import ApiError
from .faults import Faults
from .limits import Limits
from .people import MEDIA_KINDS, Group, Operator, Resident
from .spec import api_version

__all__ = [
    "DEFAULT_TOKEN",
    "MEDIA_KINDS",
    "ApiError",
    "Emulator",
    "Faults",
    "Group",
    "Limits",
    "Operator",
    "Resident",
    "Stats",
    "api_version",
]
