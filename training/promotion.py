"""Moving the champion alias, with a history MLflow itself does not keep (mlflow#2169)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import orjson
from mlflow import MlflowClient
from sqlalchemy import select

from leadstream.errors import LeadstreamError
from leadstream.settings import Settings
from leadstream.storage.decisions import shadow_rows
from leadstream.storage.engine import init_db, make_engine
from leadstream.storage.feedback import feedback_labels
from leadstream.storage.schema import alias_history, leads
from models.registry import ModelRef, alias_ref, connect, require_alias, version_ref
from training.metrics import quality


def record_alias_change(
    settings: Settings, client: MlflowClient, version: str, action: str, actor: str, metrics: dict
) -> None:
    """Point the alias at `version` and write who, when, why into alias_history."""
    previous = alias_ref(client, settings.model_name, settings.model_alias)
    client.set_registered_model_alias(settings.model_name, settings.model_alias, str(version))
    engine = make_engine(settings.database_url)
    init_db(engine)
    with engine.begin() as connection:
        connection.execute(
            alias_history.insert().values(
                model_name=settings.model_name,
                alias=settings.model_alias,
                version=str(version),
                previous_version=previous.version if previous else None,
                action=action,
                actor=actor,
                metrics=orjson.dumps(metrics).decode(),
                changed_at=datetime.now(UTC).replace(tzinfo=None),
            )
        )
    engine.dispose()


def _frozen_quality(settings: Settings, ref: ModelRef) -> dict:
    """A version's figures on the frozen evaluation set at its own threshold."""
    from training.evaluate import load_scoring_model, score_rows
    from training.labels import seed_labels
    from training.train import frozen_split

    _, frozen = frozen_split(seed_labels())
    model, threshold = load_scoring_model(settings, ref.uri)
    return quality(np.array([r.label for r in frozen]), score_rows(model, frozen), threshold)


def compare(candidate: dict, champion: dict, tolerance: float) -> list[str]:
    """The ways the candidate is worse than the champion by more than the tolerance."""
    worse = []
    for metric in ("precision", "f1", "pr_auc"):
        if (candidate[metric] or 0.0) < (champion[metric] or 0.0) - tolerance:
            worse.append(f"{metric} {candidate[metric]:.3f} < champion's {champion[metric]:.3f}")
    return worse


MIN_SHADOW_LABELS = 10


def shadow_comparison(settings: Settings, candidate: ModelRef, champion: ModelRef) -> dict:
    """Precision of both models on live tweets the sales team labelled: the champion's leads
    and the candidate's shadow decisions (stored while it ran as challenger)."""
    engine = make_engine(settings.database_url)
    init_db(engine)
    labels = {f.tweet_id: f.label for f in feedback_labels(engine)}  # latest label wins
    shadow = shadow_rows(engine, candidate.name, candidate.version)
    with engine.connect() as connection:
        champion_leads = set(
            connection.execute(
                select(leads.c.tweet_id).where(leads.c.model_version == champion.version)
            ).scalars()
        )
    engine.dispose()
    labelled = [r for r in shadow if r["tweet_id"] in labels]
    kept_by_candidate = [labels[r["tweet_id"]] for r in labelled if r["score"] >= r["threshold"]]
    kept_by_champion = [labels[r["tweet_id"]] for r in labelled if r["tweet_id"] in champion_leads]
    mean = lambda values: round(sum(values) / len(values), 4) if values else None  # noqa: E731
    return {
        "labelled": len(labelled),
        "candidate_precision": mean(kept_by_candidate),
        "champion_precision": mean(kept_by_champion),
    }


def promote(
    settings: Settings, version: str, actor: str, tolerance: float = 0.01, force: bool = False
) -> dict:
    """Make `version` the champion if it is not worse on the frozen set (or when forced)."""
    client = connect(settings.mlflow_tracking_uri, settings.mlflow_artifact_root)
    candidate_ref = version_ref(client, settings.model_name, version)
    champion_ref = alias_ref(client, settings.model_name, settings.model_alias)
    if champion_ref and champion_ref.version == candidate_ref.version:
        raise LeadstreamError(f"version {version} is already the {settings.model_alias}")
    comparison = {"candidate": _frozen_quality(settings, candidate_ref), "tolerance": tolerance}
    worse = []
    if champion_ref:
        comparison["champion"] = _frozen_quality(settings, champion_ref)
        worse = compare(comparison["candidate"], comparison["champion"], tolerance)
        shadow = shadow_comparison(settings, candidate_ref, champion_ref)
        comparison["shadow"] = shadow
        theirs, ours = shadow["champion_precision"], shadow["candidate_precision"]
        enough = shadow["labelled"] >= MIN_SHADOW_LABELS and None not in (theirs, ours)
        if enough and ours < theirs - tolerance:
            worse.append(f"shadow precision {ours:.3f} < champion's {theirs:.3f}")
    comparison["worse"] = worse
    if worse and not force:
        raise LeadstreamError(
            f"version {version} not promoted: {'; '.join(worse)} on the frozen evaluation set "
            "(use --force to promote anyway)"
        )
    action = "force-promote" if worse else "promote"
    record_alias_change(settings, client, candidate_ref.version, action, actor, comparison)
    return {
        "promoted": candidate_ref.version,
        "previous": champion_ref.version if champion_ref else None,
        **comparison,
    }


def alias_changes(settings: Settings) -> list[dict]:
    """The alias history of the model, oldest first."""
    engine = make_engine(settings.database_url)
    init_db(engine)
    query = (
        select(alias_history)
        .where(alias_history.c.model_name == settings.model_name)
        .where(alias_history.c.alias == settings.model_alias)
        .order_by(alias_history.c.changed_at, alias_history.c.id)
    )
    with engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(query)]
    engine.dispose()
    return rows


def rollback(settings: Settings, actor: str) -> dict:
    """Give the alias back to the version that held it before the current one."""
    client = connect(settings.mlflow_tracking_uri, settings.mlflow_artifact_root)
    current = require_alias(client, settings.model_name, settings.model_alias)
    # The promotion that made the current version champion says who held the alias before;
    # rollbacks are skipped so that repeated rollbacks walk further back, not back and forth.
    history = [
        h
        for h in alias_changes(settings)
        if h["version"] == current.version and h["action"] != "rollback"
    ]
    previous = history[-1]["previous_version"] if history else None
    if previous is None:
        raise LeadstreamError(
            f"no earlier {settings.model_alias} than version {current.version} to roll back to"
        )
    record_alias_change(
        settings, client, previous, "rollback", actor, {"from": current.version, "to": previous}
    )
    return {"rolled_back_from": current.version, settings.model_alias: previous}


def list_models(settings: Settings) -> list[dict]:
    """Every registered version with its aliases, engine, threshold and held-out figures."""
    client = connect(settings.mlflow_tracking_uri, settings.mlflow_artifact_root)
    try:
        aliases = client.get_registered_model(settings.model_name).aliases
    except Exception:  # noqa: BLE001 - no model registered yet
        return []
    by_version: dict[str, list[str]] = {}
    for alias, version in aliases.items():
        by_version.setdefault(str(version), []).append(alias)
    versions = client.search_model_versions(f"name = '{settings.model_name}'")
    return [
        {
            "version": str(v.version),
            "aliases": sorted(by_version.get(str(v.version), [])),
            "created": datetime.fromtimestamp(v.creation_timestamp / 1000, UTC).isoformat(),
            **{
                k: v.tags.get(k)
                for k in (
                    "engine",
                    "threshold",
                    "test_precision",
                    "test_recall",
                    "test_f1",
                    "test_pr_auc",
                )
            },
        }
        for v in sorted(versions, key=lambda v: int(v.version), reverse=True)
    ]
