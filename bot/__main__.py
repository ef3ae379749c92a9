"""``python -m bot`` is ``teman-ikd``."""

import sys

from bot.cli import main

sys.exit(main())
