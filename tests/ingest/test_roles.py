"""Process roles: the parser process does not outlive a kill -9 of its parent, and the commands
that need a Qdrant server say so instead of starting."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api.cli import main

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
PARENT = """
import sys, time
from pathlib import Path
from ingest.isolation import ParserPool
pool = ParserPool()
pool.parse(Path(sys.argv[1]), "note.txt", max_pages=10, max_chars=10_000)
print(*pool.pids(), flush=True)
time.sleep(120)
"""


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")  # a zombie has exited; only its new parent has yet to reap it


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
def test_the_parser_process_exits_when_its_parent_is_killed(tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("A short note to parse.")
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(note)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline().split()[0])
        assert not _gone(child)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 10
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(child), "the parser process survived its parent"


@pytest.mark.parametrize("flags", [["--workers", "2"], ["--no-worker"]])
def test_scaling_flags_need_a_qdrant_server(
    flags: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KNOWBASE_DATA_DIR", str(tmp_path / "data"))
    assert main(["serve", *flags]) == 1
    assert "need a Qdrant server (KNOWBASE_QDRANT_URL)" in capsys.readouterr().err


def test_a_worker_beside_a_server_on_the_embedded_store_fails_fast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from core.settings import Settings

    data_dir = tmp_path / "data"
    monkeypatch.setenv("KNOWBASE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("KNOWBASE_EMBEDDING_PROVIDER", "fake")
    held = subprocess.Popen(  # another process holds the embedded store, as a running server does
        [
            sys.executable,
            "-c",
            "import sys, time; from core.vectorstore.edge import EdgeVectorStore; from pathlib import Path;"
            "EdgeVectorStore(Path(sys.argv[1]), 384).ensure_collection(); print('open', flush=True); time.sleep(60)",
            str(Settings(data_dir=data_dir).qdrant_path),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert held.stdout is not None and held.stdout.readline().strip() == "open"
        started = time.monotonic()
        assert main(["worker"]) == 1
        assert time.monotonic() - started < 30
        assert "is in use by knowbase process" in capsys.readouterr().err
    finally:
        held.kill()
        held.wait()


def test_the_app_factory_for_several_api_processes_reads_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.app import create_app_from_environment

    monkeypatch.setenv("KNOWBASE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KNOWBASE_INGEST_IN_SERVER", "false")
    monkeypatch.setenv("KNOWBASE_LOG_JSON", "false")
    settings = create_app_from_environment().state.services.settings
    assert settings.data_dir == tmp_path / "data" and settings.ingest_in_server is False
