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


@pytest.fixture
def data_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("KNOWBASE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.mark.integration
def test_keys_create_list_revoke(data_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "create", "--user", "gina", "--role", "editor", "--groups", "a,b", "--json"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["key"].startswith("kb-") and created["role"] == "editor"

    assert main(["keys", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert any(k["id"] == created["id"] for k in listed)
    assert created["key"] not in json.dumps(listed)

    assert main(["keys", "revoke", created["id"]]) == 0
    assert "revoked" in capsys.readouterr().out
    assert main(["keys", "list", "--json"]) == 0
    again = {k["id"]: k for k in json.loads(capsys.readouterr().out)}
    assert again[created["id"]]["revoked_at"] is not None


@pytest.mark.integration
def test_keys_errors_are_one_line(data_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "revoke", "does-not-exist"]) == 1
    assert capsys.readouterr().err.strip() == "knowbase: API key 'does-not-exist' does not exist"
    assert main(["keys", "create", "--user", "nobody"]) == 1
    assert "give a role" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
@pytest.mark.integration
def test_serve_command_serves_healthz_and_prints_admin_key_once(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOWBASE_")}
    env["KNOWBASE_DATA_DIR"] = str(tmp_path / "served")
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port)]
    cwd = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json() == {"status": "ok"}:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("server did not answer /healthz within 60 s")
        assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    key_lines = [line.strip() for line in out.splitlines() if line.strip().startswith("kb-")]
    assert len(key_lines) == 1
    assert key_lines[0] not in err  # printed to the terminal once, never logged


@pytest.mark.integration
def test_users_create_and_set_password_from_stdin(
    data_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from api.wiring import build_services
    from core.metadata import accounts
    from core.settings import Settings

    monkeypatch.setattr("sys.stdin", io.StringIO("first-password\n"))
    assert main(["users", "create", "ann", "--role", "editor", "--groups", "hr"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("second-password\n"))
    assert main(["users", "set-password", "ann"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "set-password", "ann"]) == 1
    assert "at least 8 characters" in capsys.readouterr().err
    with build_services(Settings()).db.session() as session:
        assert accounts.authenticate_password(
            session=session, name="ann", password="second-password"
        ).groups == frozenset({"hr"})
    assert main(["users", "list"]) == 0
    assert '"name": "ann"' in capsys.readouterr().out
