"""The scorer's pure DataFrame transforms, on static DataFrames in a real local Spark."""

from __future__ import annotations

import dataclasses
import gc
from pathlib import Path

import orjson
import pandas as pd
import pytest

from leadstream.campaigns import Campaign
from leadstream.tweet import SPOOL_SCHEMA_DDL, Tweet
from scoring.champion import ChampionTracker
from scoring.classify import _collector_paused, classify
from scoring.keyword_index import KeywordIndex
from scoring.prefilter import keyword_prefilter

pytestmark = pytest.mark.spark

CAMPAIGNS = (
    Campaign("bau", ("roofer", "Dachdecker", "urakoitsija"), ("(m/w/d)",), ("en", "de", "fi")),
    Campaign("it", ("crm",), (), ()),
)
INDEX = KeywordIndex(CAMPAIGNS)
INPUT = pd.DataFrame({"text": ["We need a roofer for the depot, quotes welcome"], "lang": ["en"]})


def frame(spark, tweets: list[Tweet]):
    rows = [orjson.loads(t.to_json_line()) for t in tweets]
    return spark.createDataFrame(rows, SPOOL_SCHEMA_DDL)


def tweet(tweet_id: str, text: str, lang: str | None = "en") -> Tweet:
    return Tweet(tweet_id=tweet_id, text=text, created_at="2026-11-29T10:00:00Z", lang=lang)


def test_prefilter_keeps_matches_with_their_campaigns(spark):
    tweets = frame(
        spark,
        [
            tweet("1", "Need a roofer for our depot"),
            tweet("2", "Dachdecker (m/w/d) gesucht", "de"),  # negative keyword rules it out
            tweet("3", "Etsimme urakoitsijaa, CRM myös", "fi"),
            tweet("4", "lovely weather"),
            tweet("5", "roofers wanted", "es"),  # bau listens to en/de/fi only
            tweet("6", "crm para todos", "es"),  # it listens to every language
            tweet("7", "a ROOFER?", None),  # unknown language passes
        ],
    )
    kept = {
        r.tweet_id: INDEX.campaigns_for(r.found, r.lang)
        for r in keyword_prefilter(tweets, INDEX).collect()
    }
    # 2 and 5 have a keyword but no campaign: the classifier skips them.
    assert kept == {"1": ["bau"], "2": [], "3": ["bau", "it"], "5": [], "6": ["it"], "7": ["bau"]}


def test_classify_scores_explains_and_lists_keywords(spark, champion_settings, tmp_path):
    settings = dataclasses.replace(champion_settings, data_dir=tmp_path)
    shipped = ChampionTracker(settings, spark).current()
    tweets = frame(
        spark,
        [
            tweet(
                "1",
                "Our warehouse roof is leaking again. Can anyone recommend a reliable roofer "
                "in Leeds? Need quotes this week",
            ),
            tweet("2", "Roofer life: up at 5, home at 7. Love this job"),
        ],
    )
    candidates = keyword_prefilter(tweets, INDEX)
    scored = {r.tweet_id: r for r in classify(candidates, shipped.folder_name, INDEX).collect()}
    assert scored["1"].score > scored["2"].score
    assert scored["1"].is_lead and not scored["2"].is_lead
    assert orjson.loads(scored["1"].reasons) and scored["1"].matched_keywords == ["roofer"]
    assert orjson.loads(scored["2"].reasons) == []


def test_classify_returns_leads_best_rejects_and_challenger_scores(
    spark, champion_settings, tmp_path
):
    settings = dataclasses.replace(champion_settings, data_dir=tmp_path)
    shipped = ChampionTracker(settings, spark).current()
    lead = "We need a roofer for our warehouse, leaking badly. Quotes welcome, who do you trust?"
    tweets = frame(
        spark,
        [
            tweet("lead", lead),
            tweet("ruled-out", "Dachdecker (m/w/d) gesucht. " + lead, "de"),
            tweet("reject-1", "Roofer life: up at 5, home at 7. Love this job"),
            tweet("reject-2", "my cousin is a roofer lol"),
            tweet("reject-3", "roofers on strike, says the news"),
        ],
    )
    candidates = keyword_prefilter(tweets, INDEX)
    kept = classify(
        candidates, shipped.folder_name, INDEX, shipped.folder_name, near_misses=1
    ).collect()
    by_id = {r.tweet_id: r for r in kept}
    assert "ruled-out" not in by_id  # no campaign left after the negative keyword
    assert by_id["lead"].is_lead and by_id["lead"].challenger_is_lead
    rejects = [r for r in kept if not r.is_lead]
    assert len(rejects) == 1  # only the best-scored reject of the partition
    all_rejects = classify(candidates, shipped.folder_name, INDEX, near_misses=5).collect()
    best = max((r for r in all_rejects if not r.is_lead), key=lambda r: r.score)
    assert rejects[0].tweet_id == best.tweet_id
    assert all(r.challenger_score == pytest.approx(r.score) for r in kept)
    assert all(r.challenger_score is None for r in all_rejects)  # no challenger, no score


def test_best_rejects_take_turns_among_campaigns(spark, champion_settings, tmp_path):
    settings = dataclasses.replace(champion_settings, data_dir=tmp_path)
    shipped = ChampionTracker(settings, spark).current()
    roofers = {
        "bau-1": "Roofer life: up at 5, home at 7. Love this job",
        "bau-2": "my cousin is a roofer lol",
        "bau-3": "roofers on strike, says the news",
    }
    software = {
        "it-1": "CRM is such a boring acronym lol",
        "it-2": "my cat walked on the keyboard and opened the CRM lol",
        "it-3": "CRM memes are the best memes lol",
    }
    every = keyword_prefilter(
        frame(spark, [tweet(i, t) for i, t in {**roofers, **software}.items()]), INDEX
    )
    scores = {r.tweet_id: r.score for r in classify(every, shipped.folder_name, INDEX).collect()}
    # The software campaign's one tweet is the one the model likes least, whichever model it is:
    # by score alone, two roofer tweets would then take both places.
    it = min(software, key=scores.get)
    bau = sorted(roofers, key=scores.get, reverse=True)
    assert scores[it] < scores[bau[1]]
    tweets = [tweet(i, text) for i, text in roofers.items()] + [tweet(it, software[it])]
    candidates = keyword_prefilter(frame(spark, tweets), INDEX).coalesce(1)  # one partition

    kept = classify(candidates, shipped.folder_name, INDEX, near_misses=2).collect()

    assert not any(r.is_lead for r in kept)
    # one place each: the roofing campaign's best reject, and the software campaign's only one
    assert {r.tweet_id for r in kept} == {bau[0], it}


def test_classify_counts_the_keyword_matches(spark, champion_settings, tmp_path):
    settings = dataclasses.replace(champion_settings, data_dir=tmp_path)
    shipped = ChampionTracker(settings, spark).current()
    tweets = frame(
        spark,
        [
            tweet("1", "Need a roofer for our depot"),
            tweet("2", "Dachdecker (m/w/d) gesucht", "de"),  # a keyword, but ruled out
            tweet("3", "Etsimme urakoitsijaa, CRM myös", "fi"),
            tweet("4", "lovely weather"),
        ],
    )
    matches = spark.sparkContext.accumulator(0)
    classify(
        keyword_prefilter(tweets, INDEX), shipped.folder_name, INDEX, matches=matches
    ).collect()
    assert matches.value == 2


def test_a_worker_keeps_only_the_models_in_use(spark, champion_settings, tmp_path):
    import shutil

    from scoring import classify as worker

    settings = dataclasses.replace(champion_settings, data_dir=tmp_path)
    shipped = ChampionTracker(settings, spark).current()
    source = Path(shipped.folder_name)  # local Spark: an absolute folder
    versions = []
    for version in range(3):  # three promotions seen by one long-lived worker
        folder = tmp_path / f"promoted-{version}"
        shutil.copytree(source, folder)
        versions.append(str(folder))
    for folder in versions:
        assert worker._model(folder).predict(INPUT).shape[0] == 1
    assert list(worker._LOADED)[-2:] == versions[1:]
    assert versions[0] not in worker._LOADED
    assert len(worker._LOADED) <= 2


def test_the_collector_pauses_while_a_batch_is_scored_and_comes_back_even_after_an_error():
    assert gc.isenabled()
    with pytest.raises(ValueError), _collector_paused():
        assert not gc.isenabled()
        raise ValueError("a bad batch")
    assert gc.isenabled()
    gc.disable()  # a worker that manages the collector itself keeps it off
    try:
        with _collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
