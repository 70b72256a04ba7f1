"""`leadstream review-queue` on a real SQLite database in a temporary data folder."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import orjson
from click.testing import CliRunner

from leadstream.cli import cli
from leadstream.settings import load_settings
from leadstream.storage.decisions import add_to_review_pool
from leadstream.storage.engine import init_db, make_engine
from leadstream.storage.leads import Lead, upsert_leads

NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
LONG = (
    "Our warehouse team keeps losing pallets between Hamburg and Rotterdam and the current 3PL "
    "does not answer: who do you trust for cross-border freight?"
)


def _seed(data_dir) -> None:
    """A lead near the threshold and a pooled reject, in the folder's own SQLite database."""
    engine = make_engine(load_settings({"data_dir": data_dir}, env={}).database_url)
    init_db(engine)
    lead = Lead(
        tweet_id="501",
        text="Need a helpdesk tool for 40 agents, budget approved.",
        tweeted_at=NOW - timedelta(hours=1),
        score=0.74,
        model_name="leadstream-buying-signal",
        model_version="4",
        threshold=0.7,
        scored_at=NOW,
        campaigns=["software"],
    )
    upsert_leads(engine, [lead])
    reject = {
        "tweet_id": "502",
        "text": LONG,
        "lang": "en",
        "campaigns": '["logistics"]',
        "score": 0.61,
        "threshold": 0.7,
        "model_version": "4",
        "scored_at": NOW,
    }
    add_to_review_pool(engine, [reject])
    engine.dispose()


def _run(data_dir, *arguments: str):
    """Invoke the command as a user would, ignoring any LEADSTREAM_* of the developer."""
    clean = {name: None for name in os.environ if name.startswith("LEADSTREAM_")}
    command = ["--data-dir", str(data_dir), "review-queue", *arguments]
    return CliRunner().invoke(cli, command, env=clean, catch_exceptions=False)


def test_table_lists_the_queue_with_text_cut_to_90_characters(tmp_path):
    _seed(tmp_path)
    result = _run(tmp_path, "--limit", "5")
    assert result.exit_code == 0, result.output
    header, first, second = result.output.splitlines()
    assert header.split() == ["score", "source", "uncert.", "campaigns", "text"]
    assert first.split()[:4] == ["0.74", "lead", "0.94", "software"]
    assert first.endswith("Need a helpdesk tool for 40 agents, budget approved.")
    assert second.split()[:4] == ["0.61", "reject", "0.87", "logistics"]
    assert second.endswith(LONG[:89] + "…")


def test_json_lines_carry_every_field(tmp_path):
    _seed(tmp_path)
    result = _run(tmp_path, "--json", "--campaign", "logistics")
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    item = orjson.loads(line)
    assert {k: item[k] for k in ("tweet_id", "text", "source", "campaigns", "score")} == {
        "tweet_id": "502",
        "text": LONG,
        "source": "reject",
        "campaigns": ["logistics"],
        "score": 0.61,
    }
    assert item["uncertainty"] == 0.8714 and item["threshold"] == 0.7
    assert item["model_version"] == "4" and item["lang"] == "en"
    assert item["why"].startswith("close to the threshold")


def test_empty_database_says_there_is_nothing_to_review(tmp_path):
    result = _run(tmp_path)
    assert result.exit_code == 0
    assert result.output.strip() == (
        "nothing to review: every stored lead and near-miss is labelled, or none is"
    )


def test_limit_must_be_positive(tmp_path):
    result = _run(tmp_path, "--limit", "0")
    assert result.exit_code == 2
    assert "--limit" in result.output
