"""Settings: defaults, then environment, then options; every bad value names its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadstream.errors import ConfigError
from leadstream.settings import load_settings


def test_layers_defaults_environment_then_options(tmp_path: Path):
    env = {
        "LEADSTREAM_DATA_DIR": str(tmp_path / "env"),
        "LEADSTREAM_REPLAY_RATE": "7.5",
        "LEADSTREAM_DASHBOARD_PORT": "8080",
    }
    settings = load_settings({"dashboard_port": 9090}, env=env)
    assert settings.data_dir == (tmp_path / "env").resolve()
    assert (settings.replay_rate, settings.dashboard_port) == (7.5, 9090)
    assert settings.database_url == f"sqlite:///{settings.data_dir / 'leadstream.db'}"
    assert (
        settings.mlflow_tracking_uri.startswith("sqlite:///")
        and settings.spark_master == "local[*]"
    )


def test_settings_are_frozen(settings):
    with pytest.raises(AttributeError):
        settings.dashboard_port = 1


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"LEADSTREAM_DASHBOARD_PORT": "eighty"}, "LEADSTREAM_DASHBOARD_PORT: expected int"),
        ({"LEADSTREAM_DASHBOARD_PORT": "70000"}, "LEADSTREAM_DASHBOARD_PORT: not a port"),
        ({"LEADSTREAM_REPLAY_RATE": "-1"}, "LEADSTREAM_REPLAY_RATE: must be 0 or more"),
        (
            {"LEADSTREAM_TRIGGER_SECONDS": "0"},
            "LEADSTREAM_TRIGGER_SECONDS: must be greater than 0",
        ),
        ({"LEADSTREAM_PRECISION_TARGET": "1.5"}, "LEADSTREAM_PRECISION_TARGET: must be between"),
        ({"LEADSTREAM_DATABASE_URL": "postgresql://x/y"}, "LEADSTREAM_DATABASE_URL: must start"),
    ],
)
def test_bad_values_name_the_key(env, names):
    with pytest.raises(ConfigError) as error:
        load_settings(env=env)
    assert str(error.value).startswith(names)
    assert "\n" not in str(error.value)


def test_secrets_are_never_shown(tmp_path: Path):
    settings = load_settings(
        {"data_dir": tmp_path},
        env={"LEADSTREAM_SECRET_KEY": "k3y", "LEADSTREAM_BEARER_TOKEN": "t0k"},
    )
    shown = settings.describe()
    assert shown["secret_key"] == "(set)" and shown["bearer_token"] == "(set)"
    assert "k3y" not in repr(settings) and "t0k" not in repr(settings) and "t0k" not in str(shown)
