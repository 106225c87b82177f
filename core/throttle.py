"""Failed sign-in throttling, in process memory: per submitted user name and per client address.

In-process on purpose (no table, no migration): a restart forgets the counts, and several server
processes each count separately, so the effective limit is the per-process limit times the number
of processes. Counting by the *submitted* name, whether or not that user exists, means a throttled
answer says nothing about which names are real.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_TRACKED_KEYS = 100_000  # bounds memory under a spray of random names or addresses


class SignInThrottle:
    def __init__(
        self,
        *,
        max_per_user: int,
        max_per_address: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = {"user": max_per_user, "address": max_per_address}
        self._window_s = window_s
        self._clock = clock
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _keys(self, user: str, address: str) -> list[tuple[str, str]]:
        return [("user", user.strip().casefold()), ("address", address)]

    def retry_after(self, user: str, address: str) -> int:
        """Seconds until another attempt is allowed for this name and address; 0 = allowed now."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key in self._keys(user, address):
                times = self._recent(key, now)
                if len(times) >= self._limits[key[0]]:
                    # Allowed again once the oldest failure kept has aged out of the window.
                    wait = max(wait, times[0] + self._window_s - now)
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, user: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            for key in self._keys(user, address):
                times = self._recent(key, now)
                times.append(now)
                self._failures[key] = times
                self._failures.move_to_end(key)
            while len(self._failures) > MAX_TRACKED_KEYS:
                self._failures.popitem(last=False)

    def succeeded(self, user: str) -> None:
        """A correct password clears the name's failures (the address keeps its count)."""
        with self._lock:
            self._failures.pop(self._keys(user, "")[0], None)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key) or deque(maxlen=self._limits[key[0]])
        while times and times[0] <= now - self._window_s:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times
