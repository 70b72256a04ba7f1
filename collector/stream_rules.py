"""Filtered-stream rules built from the campaigns: one tag per campaign, values within the limit.

v2 rules match whole tokens, not word prefixes, so a campaign keyword written as a stem
("warehous") only matches that exact token in the stream; scoring's prefix match still applies
to whatever the rules let through.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from leadstream.campaigns import Campaign
from leadstream.errors import ConfigError

MAX_RULE_LENGTH = 512  # characters per rule value on the standard access levels
_PLAIN_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class StreamRule:
    """One server-side filter rule; its tag names the campaign that wanted it."""

    value: str
    tag: str


def campaign_rules(
    campaigns: Iterable[Campaign], max_length: int = MAX_RULE_LENGTH
) -> list[StreamRule]:
    """Rules for all campaigns; a long keyword list is split over several rules with one tag."""
    rules: list[StreamRule] = []
    for campaign in campaigns:
        suffix = _suffix(campaign)
        for group in _pack(campaign, [_term(k) for k in campaign.keywords], suffix, max_length):
            rules.append(StreamRule(value=_value(group, suffix), tag=campaign.name))
    return rules


def _pack(campaign: Campaign, terms: list[str], suffix: str, max_length: int) -> list[list[str]]:
    """Greedily fill each rule with as many OR'ed terms as fit in max_length."""
    groups: list[list[str]] = []
    current: list[str] = []
    for term in dict.fromkeys(terms):
        if len(_value([term], suffix)) > max_length:
            raise ConfigError(
                f"campaign {campaign.name!r}: keyword {term} makes a stream rule longer than "
                f"{max_length} characters; shorten it"
            )
        if current and len(_value([*current, term], suffix)) > max_length:
            groups.append(current)
            current = []
        current.append(term)
    return [*groups, current] if current else groups


def _value(terms: list[str], suffix: str) -> str:
    keywords = terms[0] if len(terms) == 1 else f"({' OR '.join(terms)})"
    return f"{keywords} {suffix}"


def _suffix(campaign: Campaign) -> str:
    """Language clause (when the campaign names languages) and the retweet exclusion."""
    langs = [f"lang:{lang}" for lang in campaign.languages]
    if len(langs) > 1:
        return f"({' OR '.join(langs)}) -is:retweet"
    return f"{langs[0]} -is:retweet" if langs else "-is:retweet"


def _term(keyword: str) -> str:
    """A keyword as a rule term: single words bare, anything else as a quoted exact phrase."""
    if _PLAIN_TOKEN.fullmatch(keyword):
        return keyword
    escaped = keyword.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
