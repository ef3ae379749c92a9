"""Optional, seeded fault injection for robustness benchmarks (off by default).

Boundary: only decides *whether* and *which* fault hits a request; the server acts on it:

* ``"500"``     -> HTTP 500 Internal Server Error, request NOT executed;
* ``"429"``     -> HTTP 429 retry after 1, request NOT executed (spurious flood wait);
* ``"timeout"`` -> request executed, answer delayed by ``hang_seconds`` (client times out,
                   so a naive retry duplicates the send, as with the real API);
* ``"drop"``    -> request executed, connection closed without an answer;
* ``"garbled"`` -> request NOT executed, answered 200 with a result no client can read
                   (opt-in: not among the default kinds).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

KINDS = ("500", "429", "timeout", "drop")
EXTRA_KINDS = ("garbled",)


@dataclass
class Faults:
    rate: float = 0.0
    kinds: tuple[str, ...] = KINDS
    seed: int = 0
    hang_seconds: float = 6.0
    # Methods exempt from faults; getUpdates is included by default so polling keeps working.
    exempt: tuple[str, ...] = ("getUpdates",)
    # If given, only these methods get faults (e.g. ("sendMessage",)).
    only: tuple[str, ...] | None = None
    injected: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(KINDS) - set(EXTRA_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    def pick(self, method: str) -> str | None:
        """Return the fault kind for this request, or None. Deterministic for a given seed."""
        if self.rate <= 0 or not self.kinds or method in self.exempt:
            return None
        if self.only is not None and method not in self.only:
            return None
        with self._lock:
            if self._rng.random() >= self.rate:
                return None
            kind = self._rng.choice(self.kinds)
            self.injected[kind] = self.injected.get(kind, 0) + 1
            return kind
