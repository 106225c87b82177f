"""Per-key rate limits: counted in the DB (shared by every process), OpenAI's headers, 429s."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from openai import OpenAI

from api.app import create_app
from api.cli import main as cli_main
from core.metadata import accounts
from core.metadata.bootstrap import bootstrap
from core.metadata.db import Database
from core.metadata.rate_limits import KeyLimits, consume, format_reset, limits_of_key
from core.security import generate_api_key
from core.settings import Settings
from tests.conftest import assert_error_shape, bearer
from tests.servers import serve

pytestmark = pytest.mark.integration
NOW = 1_800_000_000.0  # the start of a minute


def _database(url: str) -> Database:
    db = Database(url)
    bootstrap(db, None)
    return db


def _key(db: Database, rpm: int | None, tpm: int | None) -> tuple[str, KeyLimits]:
    with db.session() as session:
        created = accounts.create_key(
            session=session, user="limited", role=accounts.Role.reader, requests_per_minute=rpm, tokens_per_minute=tpm
        )
    with db.session() as session:
        limits = limits_of_key(session, created.key)
    assert limits is not None
    return created.key, limits


def _count(db: Database, limits: KeyLimits, tokens: int = 0, now: float = NOW) -> bool:
    with db.session() as session:
        decision = consume(session, limits, tokens, now)
        if not decision.allowed:
            session.rollback()
        return decision.allowed


def test_requests_and_tokens_per_minute_in_fixed_windows(tmp_path: Path) -> None:
    db = _database(f"sqlite:///{tmp_path / 'kb.sqlite'}")
    _, limits = _key(db, rpm=3, tpm=100)
    assert [_count(db, limits, 10) for _ in range(4)] == [True, True, True, False]
    assert _count(db, limits, 10, NOW + 59.9) is False  # still the same minute
    assert _count(db, limits, 10, NOW + 60) is True  # a new window
    assert _count(db, limits, 95, NOW + 61) is False  # 10 + 95 tokens > 100
    assert _count(db, limits, 90, NOW + 62) is True  # the refused 95 was not counted
    assert format_reset(0.25) == "250ms" and format_reset(20.2) == "21s" and format_reset(360) == "6m0s"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_limit_holds_across_processes_sharing_the_database(tmp_path: Path, backend: str) -> None:
    if backend == "postgresql":
        url = os.environ.get("KB_TEST_POSTGRES_URL")
        if not url:
            pytest.skip("set KB_TEST_POSTGRES_URL to test PostgreSQL")
    else:
        url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    first = _database(url)
    second = Database(url)  # another engine, as another process has
    try:
        _, limits = _key(first, rpm=5, tpm=None)
        allowed = [_count(db, limits, now=NOW + 120) for db in (first, second) * 4]
        assert allowed.count(True) == 5 and allowed[5:] == [False, False, False]
    finally:
        second.close()
        first.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    admin_key = generate_api_key()
    settings = Settings(data_dir=tmp_path_factory.mktemp("rl") / "data", admin_key=admin_key, embedding_provider="fake")
    with serve(create_app(settings)) as url:
        yield url, admin_key


def _limited_client(url: str, admin_key: str, **limits: int) -> OpenAI:
    body = {"user": "api-user", "role": "reader", **limits}
    key = httpx.post(f"{url}/v1/admin/keys", json=body, headers=bearer(admin_key)).json()["key"]
    return OpenAI(base_url=url + "/v1", api_key=key, max_retries=0)


def test_headers_on_every_response_and_429_with_retry_after(server: tuple[str, str]) -> None:
    url, admin_key = server
    client = _limited_client(url, admin_key, requests_per_minute=2, tokens_per_minute=10_000)
    first = client.models.with_raw_response.list()
    headers = first.headers
    assert headers["x-ratelimit-limit-requests"] == "2" and headers["x-ratelimit-limit-tokens"] == "10000"
    assert headers["x-ratelimit-remaining-requests"] == "1"
    assert headers["x-ratelimit-reset-requests"].endswith("s")
    second = client.embeddings.with_raw_response.create(model="m", input="hello world")
    assert second.headers["x-ratelimit-remaining-requests"] == "0"
    assert 0 < int(second.headers["x-ratelimit-remaining-tokens"]) < 10_000
    with pytest.raises(openai.RateLimitError) as refused:
        client.models.list()
    response = refused.value.response
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert response.headers["x-ratelimit-remaining-requests"] == "0"
    error = assert_error_shape(response, 429, "rate_limit_exceeded")
    assert error["type"] == "rate_limit_error" and "requests per minute" in error["message"]


def test_tokens_per_minute_counts_the_request_body(server: tuple[str, str]) -> None:
    url, admin_key = server
    client = _limited_client(url, admin_key, tokens_per_minute=50)
    client.embeddings.create(model="m", input="short")
    with pytest.raises(openai.RateLimitError, match="tokens per minute"):
        client.embeddings.create(model="m", input="word " * 200)
    unlimited = OpenAI(base_url=url + "/v1", api_key=admin_key, max_retries=0)
    raw = unlimited.models.with_raw_response.list()
    assert "x-ratelimit-limit-requests" not in raw.headers  # a key without limits is not counted


def test_admins_set_limits_by_api_and_cli(
    server: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, admin_key = server
    created = httpx.post(f"{url}/v1/admin/keys", json={"user": "later", "role": "reader"}, headers=bearer(admin_key))
    key_id = created.json()["id"]
    changed = httpx.put(
        f"{url}/v1/admin/keys/{key_id}/limits", json={"requests_per_minute": 7}, headers=bearer(admin_key)
    ).json()
    assert (changed["requests_per_minute"], changed["tokens_per_minute"]) == (7, None)
    refused = httpx.put(
        f"{url}/v1/admin/keys/{key_id}/limits", json={"requests_per_minute": 0}, headers=bearer(admin_key)
    )
    assert_error_shape(refused, 422)
    env = {"KNOWBASE_DATA_DIR": str(tmp_path / "cli")}
    os.environ.update(env)
    try:
        assert cli_main(["keys", "create", "--user", "bob", "--role", "reader", "--rpm", "30", "--json"]) == 0
        made = __import__("json").loads(capsys.readouterr().out)
        assert made["requests_per_minute"] == 30
        assert cli_main(["keys", "limits", made["id"], "--tpm", "5000"]) == 0
        assert "no limit requests/min, 5000 tokens/min" in capsys.readouterr().out
        assert cli_main(["keys", "limits", made["id"], "--rpm", "0"]) != 0
    finally:
        os.environ.pop("KNOWBASE_DATA_DIR")


def test_server_defaults_limit_keys_that_set_none(tmp_path: Path) -> None:
    admin_key = generate_api_key()
    settings = Settings(
        data_dir=tmp_path / "data", admin_key=admin_key, embedding_provider="fake", rate_limit_requests_per_minute=2
    )
    with serve(create_app(settings)) as url:
        own = _limited_client(url, admin_key, requests_per_minute=50)  # the admin's first request
        client = OpenAI(base_url=url + "/v1", api_key=admin_key, max_retries=0)
        headers = client.models.with_raw_response.list().headers  # the second
        assert headers["x-ratelimit-limit-requests"] == "2" and headers["x-ratelimit-remaining-requests"] == "0"
        assert "x-ratelimit-limit-tokens" not in headers
        with pytest.raises(openai.RateLimitError):
            client.models.list()
        assert own.models.with_raw_response.list().headers["x-ratelimit-limit-requests"] == "50"
