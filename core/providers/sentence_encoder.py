"""The multilingual Universal Sentence Encoder that ships inside the ``nanoranker`` package.

Loaded straight from the package's ONNX file (without importing ``nanoranker``, which would also
load its 52 MB reranker): 512-dimensional, unit-length vectors, about 1 ms per short text on one core.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import ProviderError

DIMENSIONS = 512


def _model_path() -> Path:
    spec = importlib.util.find_spec("nanoranker")
    if spec is None or not spec.submodule_search_locations:
        raise ProviderError("the nanoranker package is not installed (pip install nanoranker)")
    path = (
        Path(next(iter(spec.submodule_search_locations))) / "resources" / "universal-sentence-encoder-multilingual.onnx"
    )
    if not path.is_file():
        raise ProviderError(f"the sentence encoder model is missing: {path}")
    return path


class SentenceEncoder:
    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._session: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._session is None:
                import onnxruntime as ort
                from onnxruntime_extensions import get_library_path

                options = ort.SessionOptions()
                options.intra_op_num_threads = self._threads
                options.inter_op_num_threads = 1
                options.register_custom_ops_library(get_library_path())
                self._session = ort.InferenceSession(str(_model_path()), options, providers=["CPUExecutionProvider"])
        return self._session

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        session = self._session or self._load()
        vectors: np.ndarray = session.run(["outputs"], {"inputs": texts})[0]
        return vectors.astype(np.float32)


_shared: SentenceEncoder | None = None


def shared_encoder() -> SentenceEncoder:
    """One session per process: the model takes ~0.6 s and ~100 MB to load."""
    global _shared
    if _shared is None:
        _shared = SentenceEncoder()
    return _shared
