"""Shared fixtures. Tests build ``Settings`` directly and never depend on the caller's environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.security import generate_api_key
from core.settings import Settings

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"
EVAL = SHARED / "eval"


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("KNOWBASE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # so no stray .env is read


@pytest.fixture
def admin_key() -> str:
    return generate_api_key()


@pytest.fixture
def settings(tmp_path: Path, admin_key: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", admin_key=admin_key, log_json=True)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def fake_llm():  # type: ignore[no-untyped-def]
    """A scriptable OpenAI-compatible server on 127.0.0.1 (see tests/servers.py); ``.url`` ends in /v1."""
    from tests.servers import FakeLLM, serve

    llm = FakeLLM()
    with serve(llm.app()) as url:
        llm.url = url + "/v1"
        yield llm


def with_fake_llm(settings: Settings, fake_llm: Any, timeout_s: float, **extra: Any) -> Settings:
    """``settings`` answering through the fake LLM server, with a deadline chosen by the test."""
    update = {"llm_base_url": fake_llm.url, "llm_model": "fake-model", "llm_api_keys": [], "llm_timeout_s": timeout_s}
    return settings.model_copy(update=update | extra)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_error_shape(response, status: int, code: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details", "type", "param"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert body["error"]["type"].endswith("_error")  # what OpenAI's SDKs read as error.type
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def require_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is beside the project only on dev machines and CI)")
    return path


_KINDS = ("unit", "integration", "slow", "browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test says what kind it is, so a run can pick by kind (`-m unit`)."""
    unmarked = [item.nodeid for item in items if not any(item.get_closest_marker(kind) for kind in _KINDS)]
    if unmarked:
        raise pytest.UsageError(
            "tests without a unit/integration/slow/browser marker:\n  " + "\n  ".join(unmarked[:20])
        )
