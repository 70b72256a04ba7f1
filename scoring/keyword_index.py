"""Every campaign's keywords in one index: one regex pass finds them, a lookup names campaigns.

The JVM runs `pattern()` once per tweet: at each word start it captures the longest listed
word (keyword or negative keyword) that starts there. Every shorter listed word that matches
at the same place is a prefix of that capture, so a table from each listed word to the
campaigns it (and its prefixes) speak for turns the captures into campaigns in the Python
worker: a few dictionary lookups per tweet instead of one regex per campaign.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from leadstream.campaigns import TRIE_END, Campaign, unit_trie

_SEEN_LIMIT = 100_000  # found spellings remembered


def spelled(found: str) -> str:
    """A found keyword as the index keys it: case-folded, each run of spaces one space."""
    return " ".join(found.casefold().split())


@dataclass(frozen=True)
class _Entry:
    """What finding one listed word (as the longest match at its place) says."""

    campaigns: frozenset[str] = frozenset()  # campaigns with a keyword matching here
    vetoes: frozenset[str] = frozenset()  # campaigns with a negative keyword matching here
    keywords: tuple[tuple[str, str], ...] = ()  # (keyword, campaign) pairs matching here


@dataclass
class KeywordIndex:
    """The campaigns' keywords as one pattern and a table from found words to campaigns."""

    campaigns: tuple[Campaign, ...]
    _entries: dict[str, _Entry] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        keywords = [(spelled(k), k.lower(), c.name) for c in self.campaigns for k in c.keywords]
        vetoes = [(spelled(k), c.name) for c in self.campaigns for k in c.negative_keywords]
        listed = {word for word, *_ in keywords} | {word for word, _ in vetoes}
        self._entries = {
            word: _Entry(
                campaigns=frozenset(c for k, _, c in keywords if word.startswith(k)),
                vetoes=frozenset(c for k, c in vetoes if word.startswith(k)),
                keywords=tuple({(shown, c) for k, shown, c in keywords if word.startswith(k)}),
            )
            for word in listed
        }
        self._languages = {c.name: frozenset(c.languages) for c in self.campaigns if c.languages}
        self._order = {c.name: i for i, c in enumerate(self.campaigns)}
        self._seen: dict[str, _Entry] = {}  # found spellings already looked up

    def pattern(self, java: bool = False) -> str:
        """Regex whose group 1 is, at each word start, the longest listed word found there."""
        trie = unit_trie(w for c in self.campaigns for w in (*c.keywords, *c.negative_keywords))
        flags = "(?iU)" if java else "(?i)"
        # A lookahead matches no characters, so the search resumes at the next position and
        # finds words that start inside an earlier find ("it support" and "support").
        return rf"{flags}(?<!\w)(?=({_longest(trie)}))"

    def entry(self, found: str) -> _Entry:
        """What a word found in a tweet (as the regex captured it) says."""
        entry = self._seen.get(found)
        if entry is None:
            word = spelled(found)
            entry = self._entries.get(word)
            if entry is None:  # a case folding the regex engine and Python disagree on
                prefixes = [w for w in self._entries if word.startswith(w)]
                entry = self._entries[max(prefixes, key=len)] if prefixes else _Entry()
            if len(self._seen) < _SEEN_LIMIT:
                self._seen[found] = entry
        return entry

    def campaigns_for(self, found: Iterable[str] | None, lang: str | None) -> list[str]:
        """The campaigns a tweet belongs to, in file order: a keyword found, none of the
        campaign's negative keywords found, and a language it listens to (or none known)."""
        if not found:
            return []
        named: set[str] = set()
        vetoed: set[str] = set()
        for word in found:
            entry = self.entry(word)
            named |= entry.campaigns
            vetoed |= entry.vetoes
        named -= vetoed
        if lang and lang != "und":
            named = {c for c in named if lang in self._languages.get(c, (lang,))}
        return sorted(named, key=self._order.__getitem__)

    def keywords_for(self, found: Iterable[str] | None, campaigns: Iterable[str]) -> list[str]:
        """The keywords of these campaigns that the tweet has, lowercased and sorted."""
        wanted = set(campaigns)
        return sorted(
            {k for word in found or () for k, c in self.entry(word).keywords if c in wanted}
        )


def _longest(node: dict) -> str:
    """The trie as a regex that prefers the longest word: a word's end is an optional stop."""
    branches = [unit + _longest(child) for unit, child in sorted(node.items()) if unit != TRIE_END]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if TRIE_END in node else body
