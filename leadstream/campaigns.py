"""Campaigns: what each sales team listens for, read from a TOML file and checked key by key."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from leadstream.errors import ConfigError

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_LANG = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class Campaign:
    """One sales campaign: keywords to listen for, words that rule a tweet out, languages."""

    name: str
    keywords: tuple[str, ...]
    negative_keywords: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    products: tuple[str, ...] = ()

    def keyword_pattern(self, java: bool = False) -> str:
        """Regex matching any keyword at the start of a word, case-insensitively.

        Keywords match word prefixes so that inflected and compound forms count
        ("urakoitsija" matches "urakoitsijaa", "Dachdecker" matches "Dachdeckerbetrieb").
        """
        return word_prefix_pattern(self.keywords, java)

    def keyword_filter(self, java: bool = False) -> str:
        """A regex matching where keyword_pattern matches, compiled as a trie to be fast."""
        return word_prefix_trie(self.keywords, java)

    def negative_pattern(self, java: bool = False) -> str | None:
        """Regex for the negative keywords, or None when the campaign has none."""
        return (
            word_prefix_pattern(self.negative_keywords, java) if self.negative_keywords else None
        )

    def accepts_language(self, lang: str | None) -> bool:
        """Whether a tweet in this language belongs to the campaign (no list: every language)."""
        return not self.languages or (lang or "und") in self.languages or lang in (None, "und")


def word_prefix_pattern(words: tuple[str, ...], java: bool = False) -> str:
    """One alternation of escaped words, each anchored at a word start; spaces match any run."""
    alternatives = sorted({re.escape(w.lower()).replace(r"\ ", r"\s+") for w in words}, key=len)
    body = "|".join(reversed(alternatives))
    # Java's \w is ASCII unless the U flag is set; Python's is Unicode by default.
    flags = "(?iU)" if java else "(?i)"
    return rf"{flags}(?<!\w)(?:{body})"


def word_prefix_trie(words: tuple[str, ...], java: bool = False) -> str:
    """Like word_prefix_pattern, but as a trie: regex engines try alternatives one by one, so
    a trie of 40 keywords tests a few characters per position instead of 40 words. A keyword
    that starts with another keyword ("roofer", "roof") adds nothing to a prefix match."""
    flags = "(?iU)" if java else "(?i)"
    return rf"{flags}(?<!\w){_trie_regex(unit_trie(words))}"


TRIE_END = ""  # the key that marks the end of a word in a unit_trie node


def unit_trie(words) -> dict:
    """The lowercased words as a trie of regex units (nested dicts; TRIE_END ends a word)."""
    trie: dict = {}
    for word in words:
        node = trie
        for unit in _units(word.lower()):
            node = node.setdefault(unit, {})
        node[TRIE_END] = {}
    return trie


def _units(word: str) -> list[str]:
    """A keyword as regex units: escaped characters, with any run of spaces as one unit."""
    units: list[str] = []
    for ch in word:
        if ch.isspace():
            if units[-1:] != [r"\s+"]:
                units.append(r"\s+")
        else:
            units.append(re.escape(ch))
    return units


def _trie_regex(node: dict) -> str:
    if TRIE_END in node:
        return ""  # a prefix match ends here, whatever longer keywords follow
    branches = [unit + _trie_regex(child) for unit, child in sorted(node.items())]
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _strings(value: object, where: str, required: bool) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: must be a list of non-empty strings")
    if required and not value:
        raise ConfigError(f"{where}: must list at least one keyword")
    return tuple(v.strip() for v in value)


def parse_campaign(entry: object, where: str) -> Campaign:
    """Check one [[campaign]] table and build the Campaign, naming the bad key on failure."""
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: must be a table")
    allowed = {"name", "keywords", "negative_keywords", "languages", "products"}
    if extra := sorted(set(entry) - allowed):
        raise ConfigError(
            f"{where}.{extra[0]}: unknown key (allowed: {', '.join(sorted(allowed))})"
        )
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError(
            f"{where}.name: must be lowercase letters, digits, '-' or '_', got {name!r}"
        )
    languages = _strings(entry.get("languages"), f"{where}.languages", required=False)
    if bad := [lang for lang in languages if not _LANG.match(lang)]:
        raise ConfigError(f"{where}.languages: {bad[0]!r} is not an ISO 639 code such as 'en'")
    return Campaign(
        name=name,
        keywords=_strings(entry.get("keywords"), f"{where}.keywords", required=True),
        negative_keywords=_strings(
            entry.get("negative_keywords"), f"{where}.negative_keywords", required=False
        ),
        languages=languages,
        products=_strings(entry.get("products"), f"{where}.products", required=False),
    )


def load_campaigns(path: Path) -> tuple[Campaign, ...]:
    """Read and check a campaigns file; every error names the file and the key."""
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"LEADSTREAM_CAMPAIGNS_FILE: no such file {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    entries = document.get("campaign")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: campaign: define at least one [[campaign]] table")
    campaigns = tuple(parse_campaign(e, f"{path}: campaign[{i}]") for i, e in enumerate(entries))
    names = [c.name for c in campaigns]
    if duplicate := next((n for n in names if names.count(n) > 1), None):
        raise ConfigError(f"{path}: campaign.name: {duplicate!r} is defined twice")
    return campaigns
