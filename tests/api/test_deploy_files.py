"""docker-compose.yml cannot be run here (no Docker engine), so what it relies on is checked:
profiles, commands our CLI accepts, settings that exist, the shared volume and the proxy config."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from api.cli import _parser
from core.settings import Settings

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def _profile_of(service: dict[str, Any]) -> tuple[str, ...]:
    return tuple(service.get("profiles", ()))


def test_default_profile_is_one_knowbase_and_scale_adds_replicas_workers_and_a_proxy(compose: dict[str, Any]) -> None:
    services = compose["services"]
    default = {name for name, service in services.items() if not _profile_of(service)}
    scale = {name for name, service in services.items() if _profile_of(service) == ("scale",)}
    assert default == {"knowbase", "qdrant", "postgres"}
    assert scale == {"knowbase-api", "knowbase-worker", "proxy"}
    assert services["knowbase-api"]["deploy"]["replicas"].endswith(":-2}")
    assert services["knowbase-worker"]["deploy"]["replicas"].endswith(":-2}")


def test_every_knowbase_command_is_one_the_cli_accepts(compose: dict[str, Any]) -> None:
    commands = [service["command"] for service in compose["services"].values() if "command" in service]
    assert ["knowbase", "worker"] in commands
    for command in commands:
        if command[0] != "knowbase":
            continue
        argv = [arg.replace("${KNOWBASE_API_PROCESSES:-2}", "2") for arg in command[1:]]
        args = _parser().parse_args(argv)  # exits (fails the test) on an unknown command or flag
        assert callable(args.handler)


def test_environment_names_are_real_settings_and_the_file_volume_is_shared(compose: dict[str, Any]) -> None:
    fields = {name.upper() for name in Settings.model_fields}
    knowbase_services = [s for name, s in compose["services"].items() if name.startswith("knowbase")]
    assert len(knowbase_services) == 3
    for service in knowbase_services:
        for variable in service["environment"]:
            assert variable.removeprefix("KNOWBASE_") in fields, variable
        assert "knowbase-data:/data" in service["volumes"]
        assert service["environment"]["KNOWBASE_QDRANT_URL"] == "http://qdrant:6333"


def test_the_proxy_config_reaches_the_api_replicas_and_streams(compose: dict[str, Any]) -> None:
    mount = compose["services"]["proxy"]["volumes"][0].split(":")[0]
    config = (ROOT / mount).read_text()
    assert "http://knowbase-api:8000" in config
    assert "proxy_buffering off" in config
    assert "resolver 127.0.0.11" in config  # docker DNS: every replica, re-resolved
