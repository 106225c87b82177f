"""``knowbase worker`` with the fake embedder slowed down per passage, so that a test can kill it in
the middle of a job. Settings come from the environment, as for the real command."""

from __future__ import annotations

import signal
import sys
import threading
import time
from types import FrameType

import numpy as np

from api.cli_worker import run_worker
from core.providers.fakes import FakeEmbedder
from core.settings import load_settings

PAUSE_PER_PASSAGE_S = 0.05


class SlowEmbedder(FakeEmbedder):
    def embed_passages(self, texts: list[str]) -> np.ndarray:
        time.sleep(PAUSE_PER_PASSAGE_S * len(texts))
        return super().embed_passages(texts)


def main() -> int:
    settings = load_settings()
    stop = threading.Event()

    def on_signal(_number: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    run_worker(settings, stop, embedder_factory=lambda: SlowEmbedder(settings.embedding_dim))
    return 0


if __name__ == "__main__":
    sys.exit(main())
