"""The figures behind the charts, from the database and the collector's counters file."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import orjson
from flask import Blueprint, jsonify, request
from flask_login import login_required

from dashboard.state import app_state, get_engine
from leadstream.storage.activity import (
    BUCKETS,
    bucket_start,
    feedback_counts,
    funnel_totals,
    leads_per_bucket,
    leads_per_campaign,
    model_versions_seen,
)
from leadstream.storage.batches import recent_batches
from leadstream.storage.leads import count_leads
from leadstream.storage.models_seen import models_seen

log = logging.getLogger(__name__)
bp = Blueprint("stats", __name__)

# Sixty one-minute buckets, or two days of hours.
BUCKET_COUNT = {"minute": 60, "hour": 48}
COLLECTOR_STATS_FILE = "collector_stats.json"


def read_collector_stats(spool_dir: Path) -> dict | None:
    """The collector's counters from its stats file, or None when absent or unreadable."""
    try:
        stats = orjson.loads((spool_dir / COLLECTOR_STATS_FILE).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, orjson.JSONDecodeError) as exc:
        # The collector may be mid-write; the next poll will read it whole.
        log.debug("collector stats unreadable: %s", exc)
        return None
    if not isinstance(stats, dict):
        return None
    return {k: v for k, v in stats.items() if isinstance(v, str | int | float | bool | None)}


def _timeline(unit: str) -> dict:
    """Leads per bucket up to now, oldest bucket first."""
    now = datetime.now(UTC).replace(tzinfo=None)
    until = bucket_start(now, unit) + BUCKETS[unit]
    since = until - BUCKETS[unit] * BUCKET_COUNT[unit]
    series = leads_per_bucket(get_engine(), unit, since, until)
    return {
        "unit": unit,
        "buckets": [{"start": start.isoformat(), "leads": n} for start, n in series],
    }


def _batches() -> list[dict]:
    """The newest scoring batches, oldest first, as plain numbers."""
    return [
        {
            "batch_id": batch.batch_id,
            "finished_at": batch.finished_at.isoformat(),
            "tweets_in": batch.tweets_in,
            "keyword_matches": batch.keyword_matches,
            "leads": batch.leads,
            "model_version": batch.model_version,
        }
        for batch in recent_batches(get_engine(), limit=30)
    ]


def _iso(moment: datetime | None) -> str | None:
    """A time as ISO 8601, or None."""
    return moment.isoformat() if moment else None


def _models() -> list[dict]:
    """Versions the scorer ran (even without a lead yet) and those that found leads."""
    versions: dict[tuple[str, str], dict] = {}
    for seen in models_seen(get_engine()):
        versions[seen["model_name"], seen["version"]] = {
            "model_name": seen["model_name"],
            "model_version": seen["version"],
            "threshold": seen["threshold"],
            "last_seen_at": _iso(seen["last_seen_at"]),
            "leads": 0,
            "last_scored_at": None,
        }
    for found in model_versions_seen(get_engine()):
        row = versions.setdefault(
            (found.model_name, found.model_version),
            {"model_name": found.model_name, "model_version": found.model_version,
             "threshold": None, "last_seen_at": None},
        )  # fmt: skip
        row.update(leads=found.leads, last_scored_at=_iso(found.last_scored_at))
    return sorted(versions.values(), key=_last_active, reverse=True)


def _last_active(model: dict) -> str:
    """When a version last scored, as an ISO string that sorts in time order."""
    return model["last_seen_at"] or model["last_scored_at"] or ""


@bp.get("/api/stats")
@login_required
def stats():
    """Every figure the charts draw, in one answer."""
    unit = request.args.get("unit", "minute")
    if unit not in BUCKET_COUNT:
        return jsonify(error="unit: must be minute or hour"), 400
    engine = get_engine()
    return jsonify(
        generated_at=datetime.now(UTC).replace(tzinfo=None).isoformat(),
        leads_total=count_leads(engine),
        leads_per_campaign=[
            {"campaign": name, "leads": n} for name, n in leads_per_campaign(engine).items()
        ],
        leads_over_time=_timeline(unit),
        funnel=funnel_totals(engine),
        recent_batches=_batches(),
        feedback=feedback_counts(engine),
        models=_models(),
        collector=read_collector_stats(app_state().settings.spool_dir),
    )
