"""The composition root: builds every component from ``Settings`` once, lazily, and closes them.

The CLI and the web app share it. Heavy parts (embedder, vector store) open on first use, so
``knowbase keys …`` never touches the embedded Qdrant engine that a running server owns.
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property

from core.metadata.bootstrap import BootstrapResult, bootstrap
from core.metadata.db import Database
from core.settings import Settings

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self._bootstrapped: BootstrapResult | None = None
        settings.data_dir.mkdir(parents=True, exist_ok=True)

    @cached_property
    def db(self) -> Database:
        return Database(self.settings.resolved_database_url)

    def bootstrap(self) -> BootstrapResult:
        """Migrate the schema and create first-start state (idempotent)."""
        with self._lock:
            if self._bootstrapped is None:
                key = self.settings.admin_key.get_secret_value() if self.settings.admin_key else None
                self._bootstrapped = bootstrap(self.db, key)
            return self._bootstrapped

    def readiness(self) -> dict[str, bool]:
        return {"database": self.db.ping()}

    def start_background(self) -> None:
        """Start background workers (the web server calls this once it is up)."""

    def stop_background(self) -> None:
        """Stop background workers, letting the current step finish."""

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.close()
