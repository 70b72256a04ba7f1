"""Leads on real SQLite and real MariaDB: Unicode, idempotent upserts, concurrent writers."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from leadstream.storage.leads import Lead, count_leads, get_lead, recent_leads, upsert_leads

TEXTS = {
    "emoji": "Need 3 forklifts 🚜🔥 asap — DM me 🙏🏽 (family emoji 👨‍👩‍👧‍👦)",
    "german": "Wir suchen einen Dachdecker für unsere Lagerhalle in Düsseldorf, 400 m², Maß ß",
    "finnish": "Etsimme urakoitsijaa kattoremonttiin, tarjouksia perjantaina. Hyvää päivää! Äö",
    "mixed": "Ünïcödé 中文 العربية עברית 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u200d zero-width",
}


def make_lead(
    tweet_id: str, text: str = "we need a supplier", score: float = 0.9, **extra
) -> Lead:
    moment = datetime(2026, 11, 29, 10, 0, 0, 123456)
    values = dict(
        tweet_id=tweet_id,
        text=text,
        tweeted_at=moment,
        score=score,
        model_name="m",
        model_version="1",
        threshold=0.5,
        scored_at=moment,
        campaigns=["construction"],
        matched_keywords=["supplier"],
        reasons=['asks for a product or service: "need"'],
    )
    return Lead(**{**values, **extra})


def test_unicode_round_trips_byte_for_byte(engine):
    upsert_leads(
        engine,
        [make_lead(name, text, author_name="Jürgen Äöü ß 😀") for name, text in TEXTS.items()],
    )
    for name, text in TEXTS.items():
        stored = get_lead(engine, name)
        assert stored.text.encode("utf-8") == text.encode("utf-8")
        assert stored.author_name == "Jürgen Äöü ß 😀"


def test_upsert_is_idempotent_and_rescoring_updates(engine):
    upsert_leads(engine, [make_lead("1"), make_lead("2")])
    upsert_leads(engine, [make_lead("1"), make_lead("2")])
    assert count_leads(engine) == 2
    upsert_leads(engine, [make_lead("1", score=0.99, model_version="2")])
    stored = get_lead(engine, "1")
    assert (stored.score, stored.model_version, count_leads(engine)) == (0.99, "2", 2)


def test_microsecond_times_and_newest_first(engine):
    base = make_lead("a")
    later = make_lead("b").__class__(
        **{
            **base.__dict__,
            "tweet_id": "b",
            "scored_at": base.scored_at + timedelta(microseconds=5),
        }
    )
    upsert_leads(engine, [base, later])
    assert [lead.tweet_id for lead in recent_leads(engine)] == ["b", "a"]
    assert [lead.tweet_id for lead in recent_leads(engine, after=base.scored_at)] == ["b"]


def test_campaign_filter_matches_whole_names(engine):
    upsert_leads(
        engine,
        [
            make_lead("1"),
            Lead(**{**make_lead("2").__dict__, "campaigns": ["construction-nordics"]}),
        ],
    )
    assert [lead.tweet_id for lead in recent_leads(engine, campaign="construction")] == ["1"]


def test_concurrent_writers_lose_nothing(engine):
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for batch in range(10):
                # Overlapping ids across workers: upserts of the same tweet must not collide.
                upsert_leads(
                    engine, [make_lead(f"{(worker * 7 + batch * 3 + i) % 60}") for i in range(5)]
                )
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    expected = {
        f"{(w * 7 + b * 3 + i) % 60}" for w in range(6) for b in range(10) for i in range(5)
    }
    assert {lead.tweet_id for lead in recent_leads(engine, limit=1000)} == expected
