"""Campaign files: checked key by key; keywords match word starts in any language."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from collector.replay.build_demo_stream import AUTHORED
from leadstream.campaigns import load_campaigns, word_prefix_trie
from leadstream.errors import ConfigError
from leadstream.settings import BUNDLED_CAMPAIGNS


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "campaigns.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_bundled_campaigns_load():
    names = [c.name for c in load_campaigns(BUNDLED_CAMPAIGNS)]
    assert names == ["construction", "software", "logistics", "office", "manufacturing", "energy"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[[campaign]]\nname = "x"\nkeywords = []',
            "campaign[0].keywords: must list at least one",
        ),
        ('[[campaign]]\nname = "X Y"\nkeywords = ["a"]', "campaign[0].name: must be lowercase"),
        (
            '[[campaign]]\nname = "x"\nkeywords = ["a"]\nlanguages = ["english"]',
            "campaign[0].languages: 'english' is not an ISO 639 code",
        ),
        (
            '[[campaign]]\nname = "x"\nkeywords = ["a"]\nkeyword = ["b"]',
            "campaign[0].keyword: unknown key",
        ),
        (
            '[[campaign]]\nname = "x"\nkeywords = ["a"]\n'
            '[[campaign]]\nname = "x"\nkeywords = ["b"]',
            "campaign.name: 'x' is defined twice",
        ),
        ('name = "x"', "campaign: define at least one"),
        ("[[campaign]\n", "not valid TOML"),
        ('[[campaign]]\nname = "x"\nkeywords = "roof"', "campaign[0].keywords: must be a list"),
    ],
)
def test_invalid_files_name_the_key(tmp_path, body, message):
    with pytest.raises(ConfigError) as error:
        load_campaigns(write(tmp_path, body))
    assert message in str(error.value) and "\n" not in str(error.value)


def test_missing_file_names_the_setting(tmp_path):
    with pytest.raises(ConfigError, match="LEADSTREAM_CAMPAIGNS_FILE: no such file"):
        load_campaigns(tmp_path / "nope.toml")


def test_keywords_match_word_starts_in_any_language(tmp_path):
    (campaign,) = load_campaigns(
        write(
            tmp_path,
            """
[[campaign]]
name = "bau"
keywords = ["Dachdecker", "urakoitsija", "heat pump", "CRM"]
negative_keywords = ["(m/w/d)"]
languages = ["de", "fi", "en"]
""",
        )
    )
    pattern = re.compile(campaign.keyword_pattern())
    assert pattern.search("Suche Dachdeckerbetrieb in Köln")
    assert pattern.search("etsimme urakoitsijaa")
    assert pattern.search("need a #heat  pump installer")
    assert pattern.search("our crm died")
    assert not pattern.search("microcrm")
    assert not pattern.search("ScRM is not it")
    assert re.compile(campaign.negative_pattern()).search("Bauleiter (m/w/d) gesucht")


def test_the_trie_filter_matches_exactly_where_the_keyword_pattern_does():
    authored = [orjson.loads(line) for f in sorted(AUTHORED.glob("*.jsonl")) for line in f.open()]
    texts = [entry["text"] for entry in authored] + [
        "ROOFING and roofers",
        "it   support needed",
        "#hiring now",
        "Saneerauksen kilpailutus",
        "GERÜSTBAU gesucht",
        "microcrm",
        "the app-store",
        "Ausschreibung: Rohbau",
    ]
    for campaign in load_campaigns(BUNDLED_CAMPAIGNS):
        plain = re.compile(campaign.keyword_pattern())
        trie = re.compile(campaign.keyword_filter())
        assert [bool(plain.search(t)) for t in texts] == [bool(trie.search(t)) for t in texts]
    everything = tuple(k for c in load_campaigns(BUNDLED_CAMPAIGNS) for k in c.keywords)
    union = re.compile(word_prefix_trie(everything))
    plain = [re.compile(c.keyword_pattern()) for c in load_campaigns(BUNDLED_CAMPAIGNS)]
    assert [bool(union.search(t)) for t in texts] == [
        any(p.search(t) for p in plain) for t in texts
    ]
