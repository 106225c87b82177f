import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.cli import main
from core.security import generate_api_key

ROOT = Path(__file__).resolve().parents[2]


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "policy.md").write_text("# Policy\n\nExpenses are reimbursed within 30 days.")
    (folder / "sub" / "notes.txt").write_text("员工手册：年假十五天。")
    (folder / "sub" / "copy.txt").write_text("员工手册：年假十五天。")  # same bytes: a duplicate
    (folder / "empty.txt").write_text("")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (folder / ".hidden").write_text("not collected")
    return folder


@pytest.mark.integration
def test_ingest_in_process_reports_each_file_and_fails_on_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KNOWBASE_DATA_DIR", str(tmp_path / "data"))
    assert main(["ingest", str(_folder(tmp_path)), "--json"]) == 1
    out = capsys.readouterr().out
    summary = {Path(row["file"]).name: row for row in json.loads(out.strip().splitlines()[-1])}
    assert "ingesting 5 files in this process" in out
    assert summary["policy.md"]["status"] == "ready" and summary["policy.md"]["chunks"] == 1
    assert summary["copy.txt"]["status"] == "ready"  # files go in sorted order: copy.txt first…
    assert summary["notes.txt"]["status"] == "duplicate"  # …so notes.txt is the duplicate
    assert summary["empty.txt"] == {
        "file": str(tmp_path / "docs/empty.txt"),
        "status": "failed",
        "chunks": 0,
        "reason": "the file is empty",
    }
    assert summary["image.png"]["status"] == "failed" and "PNG image" in summary["image.png"]["reason"]
    assert ".hidden" not in summary

    # Re-running finds everything already there.
    (tmp_path / "docs" / "empty.txt").unlink()
    (tmp_path / "docs" / "image.png").unlink()
    assert main(["ingest", str(tmp_path / "docs")]) == 0
    assert "ready: 0  failed: 0  skipped duplicates: 3" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.integration
def test_ingest_hands_files_to_a_running_server(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    key = generate_api_key()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOWBASE_")}
    env.update(KNOWBASE_DATA_DIR=str(tmp_path / "data"), KNOWBASE_ADMIN_KEY=key, KNOWBASE_PORT=str(port))
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        folder = _folder(tmp_path)
        (folder / "empty.txt").unlink()
        (folder / "image.png").unlink()
        done = subprocess.run(
            [sys.executable, "-m", "api.cli", "ingest", str(folder)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "handing the files to it" in done.stdout
        assert "ready: 2  failed: 0  skipped duplicates: 1" in done.stdout
        listed = httpx.get(f"http://127.0.0.1:{port}/v1/documents", headers={"Authorization": f"Bearer {key}"}).json()
        assert listed["total"] == 2 and {d["status"] for d in listed["items"]} == {"ready"}
        keys = httpx.get(f"http://127.0.0.1:{port}/v1/admin/keys", headers={"Authorization": f"Bearer {key}"}).json()
        assert all(k["revoked_at"] for k in keys if k["user"] == "knowbase-cli")  # temporary key revoked
    finally:
        server.terminate()
        server.wait(timeout=60)
