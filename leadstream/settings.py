"""One frozen settings object: defaults, then LEADSTREAM_* environment, then explicit options."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leadstream.errors import ConfigError

PACKAGE_ROOT = Path(__file__).resolve().parent
BUNDLED_CAMPAIGNS = PACKAGE_ROOT / "campaigns.toml"
BUNDLED_STREAM = (
    Path(__file__).resolve().parents[1] / "collector" / "replay" / "demo_stream.jsonl.gz"
)


@dataclass(frozen=True)
class Settings:
    """Everything a Leadstream process needs to know, resolved once at start."""

    data_dir: Path = Path("var")
    database_url: str = ""
    mlflow_tracking_uri: str = ""
    mlflow_artifact_root: str = ""
    model_name: str = "leadstream-buying-signal"
    model_alias: str = "champion"
    campaigns_file: Path = BUNDLED_CAMPAIGNS
    spark_master: str = "local[*]"
    trigger_seconds: float = 2.0
    max_files_per_trigger: int = 20
    replay_file: Path = BUNDLED_STREAM
    replay_rate: float = 50.0
    spool_roll_seconds: float = 1.0
    spool_roll_tweets: int = 500
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int = 5000
    precision_target: float = 0.90
    secret_key: str = field(default="", repr=False)
    bearer_token: str = field(default="", repr=False)

    @property
    def spool_dir(self) -> Path:
        """Folder of the durable tweet spool the collector writes and the scorer reads."""
        return self.data_dir / "spool"

    @property
    def checkpoint_dir(self) -> Path:
        """Folder of the Spark streaming checkpoint, so a restart resumes where it stopped."""
        return self.data_dir / "checkpoints" / "scoring"

    def describe(self) -> dict[str, str]:
        """Settings safe to print or log: secrets are reported only as set or unset."""
        shown = {f.name: str(getattr(self, f.name)) for f in dataclasses.fields(self)}
        for secret in SECRETS:
            shown[secret] = "(set)" if getattr(self, secret) else "(unset)"
        return shown


SECRETS = ("secret_key", "bearer_token")
_ZERO_ALLOWED = ("replay_rate", "dashboard_port")  # as fast as possible; any free port
_ENV_PREFIX = "LEADSTREAM_"


def _convert(name: str, raw: Any, kind: type) -> Any:
    """Turn a raw value into the field's type, or fail naming the key."""
    key = _ENV_PREFIX + name.upper()
    try:
        if kind is Path:
            value = Path(raw).expanduser()
        elif kind is int:
            value = int(raw)
        elif kind is float:
            value = float(raw)
        else:
            value = str(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{key}: expected {kind.__name__}, got {raw!r}") from None
    if name in _ZERO_ALLOWED and value < 0:
        raise ConfigError(f"{key}: must be 0 or more, got {raw!r}")
    if kind in (int, float) and name not in _ZERO_ALLOWED and value <= 0:
        raise ConfigError(f"{key}: must be greater than 0, got {raw!r}")
    return value


def _check(settings: Settings) -> None:
    """Reject values that are well-typed but unusable."""
    if not (0.0 < settings.precision_target < 1.0):
        raise ConfigError(
            "LEADSTREAM_PRECISION_TARGET: must be between 0 and 1, "
            f"got {settings.precision_target}"
        )
    if not (0 <= settings.dashboard_port < 65536):  # 0: any free port
        raise ConfigError(
            f"LEADSTREAM_DASHBOARD_PORT: not a port number: {settings.dashboard_port}"
        )
    if not settings.database_url.startswith(("sqlite:", "mysql+pymysql:")):
        raise ConfigError(
            "LEADSTREAM_DATABASE_URL: must start with sqlite:/// or mysql+pymysql://, "
            f"got {settings.database_url.split('://')[0]!r}"
        )


def load_settings(overrides: dict[str, Any] | None = None, env: dict | None = None) -> Settings:
    """Build settings from defaults, then the environment, then explicit overrides (not None)."""
    env = os.environ if env is None else env
    kinds = {f.name: f.type for f in dataclasses.fields(Settings)}
    values: dict[str, Any] = {}
    for name in kinds:
        if (raw := env.get(_ENV_PREFIX + name.upper())) not in (None, ""):
            values[name] = raw
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    unknown = set(values) - set(kinds)
    if unknown:
        raise ConfigError(f"unknown setting {sorted(unknown)[0]!r}")
    typed = {
        name: _convert(name, raw, {"Path": Path, "int": int, "float": float}.get(kinds[name], str))
        for name, raw in values.items()
    }
    settings = Settings(**typed)
    data_dir = settings.data_dir.resolve()
    settings = dataclasses.replace(
        settings,
        data_dir=data_dir,
        database_url=settings.database_url or f"sqlite:///{data_dir / 'leadstream.db'}",
        mlflow_tracking_uri=settings.mlflow_tracking_uri
        or f"sqlite:///{data_dir / 'mlflow' / 'mlflow.db'}",
        mlflow_artifact_root=settings.mlflow_artifact_root
        or (data_dir / "mlflow" / "artifacts").as_uri(),
    )
    _check(settings)
    return settings
