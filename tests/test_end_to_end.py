"""The main path for real: replay -> spool -> Spark scoring query -> database, and a rerun."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from collector.run import collect
from leadstream.storage.engine import make_engine
from leadstream.storage.leads import recent_leads
from leadstream.storage.schema import batch_stats, leads
from scoring.job import run_scoring

pytestmark = pytest.mark.spark

# (id, lang, text, expected lead?) — written for this test; the expectation is the product's
# promise: genuine buying signals become leads, keyword look-alikes and chatter do not.
STREAM = [
    (
        "101",
        "en",
        "Our warehouse roof has been leaking for a week. Can anyone recommend a reliable "
        "roofing contractor in Leeds? Need quotes asap",
        True,
    ),
    ("102", "en", "We're hiring! Site manager for our construction team, apply now", False),
    (
        "103",
        "de",
        "Wir suchen einen zuverlässigen Spediteur für 20 Paletten pro Woche nach "
        "Polen. Wer kann Angebote schicken?",
        True,
    ),
    ("104", "en", "Careers in construction are booming, says new industry report", False),
    ("105", "en", "lovely sunset over the harbour tonight", False),
    (
        "106",
        "fi",
        "Etsimme luotettavaa urakoitsijaa toimiston remonttiin, tarjouksia otetaan "
        "vastaan perjantaihin asti",
        True,
    ),
    (
        "107",
        "en",
        "Need a new CRM asap — our current one crashes daily and the vendor ignores us. "
        "Recommendations?",
        True,
    ),
    (
        "108",
        "en",
        "Get a FREE quote for solar panels today! We install across the UK, call us now",
        False,
    ),
    ("109", "en", "How pretty is this building in the morning light", False),
    ("110", "en", "Thanks @acme_crm, our new CRM is amazing, best decision this year", False),
]


def write_stream(path: Path, tweets=STREAM) -> Path:
    lines = []
    for tweet_id, lang, text, _ in tweets:
        lines.append(
            orjson.dumps(
                {
                    "data": {
                        "id": tweet_id,
                        "text": text,
                        "lang": lang,
                        "author_id": "9",
                        "created_at": "2026-11-29T08:00:00.000Z",
                        "edit_history_tweet_ids": [tweet_id],
                    },
                    "includes": {
                        "users": [
                            {
                                "id": "9",
                                "name": "Kaisa Mäki",
                                "username": "kaisa",
                                "public_metrics": {"followers_count": 12},
                            }
                        ]
                    },
                    "matching_rules": [{"id": "1", "tag": "demo"}],
                }
            )
        )
    lines.insert(4, b"")  # a keep-alive
    lines.insert(6, b'{"data": {"id": "999", "text": "cut off')  # a damaged line
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


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
