"""The main path for real: replay -> spool -> Spark scoring query -> database, and a rerun."""

from __future__ import annotations

import dataclasses

import pytest
from small_stream import STREAM, write_stream
from sqlalchemy import func, select

from collector.run import collect
from leadstream.storage.engine import make_engine
from leadstream.storage.leads import recent_leads
from leadstream.storage.schema import batch_stats, leads
from scoring.job import run_scoring

pytestmark = pytest.mark.spark


@pytest.fixture
def e2e_settings(champion_settings, tmp_path, database_url):
    data_dir = tmp_path / "var"
    return dataclasses.replace(
        champion_settings,
        data_dir=data_dir,
        database_url=database_url,
        replay_file=write_stream(tmp_path / "stream.jsonl"),
        replay_rate=1000.0,
        spark_master="local[2]",
    )


def test_replay_to_leads_exactly_and_rerun_adds_nothing(e2e_settings, spark):
    stats = collect(e2e_settings, source="replay")
    assert (stats["spooled"], stats["quarantined"]) == (len(STREAM), 1)

    run_scoring(e2e_settings, until_idle=True)
    engine = make_engine(e2e_settings.database_url)
    expected = {tweet_id for tweet_id, _, _, lead in STREAM if lead}
    stored = {lead.tweet_id: lead for lead in recent_leads(engine, limit=100)}
    assert set(stored) == expected
    for lead in stored.values():
        assert lead.reasons and lead.matched_keywords and lead.campaigns
        assert lead.model_version == "1" and lead.score >= lead.threshold
        assert lead.author_username == "kaisa" and lead.author_name == "Kaisa Mäki"
    with engine.connect() as connection:
        assert connection.execute(select(func.sum(batch_stats.c.tweets_in))).scalar() == len(
            STREAM
        )

    # A second run resumes: the replay cursor spools nothing new, the checkpoint scores nothing.
    again = collect(e2e_settings, source="replay")
    assert again["spooled"] == 0
    run_scoring(e2e_settings, until_idle=True)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(leads)).scalar() == len(
            expected
        )
        assert connection.execute(select(func.sum(batch_stats.c.tweets_in))).scalar() == len(
            STREAM
        )
    engine.dispose()
