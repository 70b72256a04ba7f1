"""The keyword index gives every tweet the campaigns that per-campaign regexes would."""

from __future__ import annotations

import re

import orjson
import pytest

from collector.replay.build_demo_stream import AUTHORED
from leadstream.campaigns import Campaign, load_campaigns
from leadstream.settings import BUNDLED_CAMPAIGNS
from scoring.keyword_index import KeywordIndex
from scoring.prefilter import keyword_prefilter

TRICKY = [
    "ROOFING and roofers",
    "it   support needed",
    "#hiring now",
    "We're hiring a roofer",
    "Saneerauksen kilpailutus",
    "GERÜSTBAU gesucht (m/w/d)",
    "microcrm",
    "the app-store",
    "Ausschreibung: Rohbau",
    "",
]


def authored_texts() -> list[str]:
    return [
        orjson.loads(line)["text"] for f in sorted(AUTHORED.glob("*.jsonl")) for line in f.open()
    ]


def found(index: KeywordIndex, text: str) -> list[str]:
    """What the JVM's regexp_extract_all(text, pattern, 1) returns."""
    return [m.group(1) for m in re.finditer(index.pattern(), text)]


def by_regexes(campaigns: tuple[Campaign, ...], text: str, lang: str | None) -> list[str]:
    """The campaigns one keyword regex and one negative regex per campaign would give."""
    return [
        c.name
        for c in campaigns
        if re.search(c.keyword_pattern(), text)
        and not (c.negative_keywords and re.search(c.negative_pattern(), text))
        and c.accepts_language(lang)
    ]


@pytest.mark.parametrize("lang", ["en", "de", "fi", "es", None, "und"])
def test_bundled_campaigns_route_like_one_regex_per_campaign(lang):
    campaigns = load_campaigns(BUNDLED_CAMPAIGNS)
    index = KeywordIndex(campaigns)
    texts = authored_texts() + TRICKY
    routed = [index.campaigns_for(found(index, t), lang) for t in texts]
    assert routed == [by_regexes(campaigns, t, lang) for t in texts]
    if lang != "es":  # the bundled campaigns listen to en, de and fi only
        assert sum(map(bool, routed)) > len(texts) // 4  # the texts exercise the campaigns


def test_overlapping_and_prefix_keywords_each_count():
    campaigns = (
        Campaign("a", ("support", "roof")),
        Campaign("b", ("it support", "roofer"), ("roofers wanted",)),
        Campaign("c", ("roofing",), (), ("de",)),
    )
    index = KeywordIndex(campaigns)
    words = found(index, "Our IT  Support desk and the ROOFERS")
    assert words == ["IT  Support", "Support", "ROOFER"]
    assert index.campaigns_for(words, "en") == ["a", "b"]
    assert index.keywords_for(words, ["b"]) == ["it support", "roofer"]
    assert index.keywords_for(words, ["a", "b"]) == ["it support", "roof", "roofer", "support"]
    vetoed = found(index, "roofers wanted")
    assert index.campaigns_for(vetoed, "en") == ["a"]  # b's negative keyword rules it out
    assert index.campaigns_for(found(index, "Roofing"), "en") == ["a"]  # c listens to de only
    assert index.campaigns_for(found(index, "Roofing"), "") == ["a", "c"]  # unknown language
    assert index.campaigns_for(None, "en") == []


@pytest.mark.spark
def test_the_jvm_finds_the_words_python_finds(spark):
    index = KeywordIndex(load_campaigns(BUNDLED_CAMPAIGNS))
    texts = authored_texts()[:600] + TRICKY
    rows = [{"tweet_id": str(i), "text": t, "lang": "en"} for i, t in enumerate(texts)]
    tweets = spark.createDataFrame(rows, "tweet_id STRING, text STRING, lang STRING")
    jvm = {int(r.tweet_id): r.found for r in keyword_prefilter(tweets, index).collect()}
    keywords = [re.compile(c.keyword_pattern()) for c in index.campaigns]
    # The prefilter drops tweets without a keyword, even those with a negative keyword.
    expected = {
        i: found(index, t) for i, t in enumerate(texts) if any(k.search(t) for k in keywords)
    }
    assert jvm == expected
    assert len(expected) > 100
