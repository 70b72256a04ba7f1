"""The normalised tweet: the one record shape the collector spools and the scorer reads."""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson


@dataclass(frozen=True)
class Tweet:
    """A tweet reduced to what scoring and the sales team need, whatever API it came from."""

    tweet_id: str
    text: str
    created_at: str  # ISO 8601 in UTC, e.g. 2026-11-29T10:15:00Z
    lang: str | None = None
    author_id: str | None = None
    author_username: str | None = None
    author_name: str | None = None
    author_followers: int | None = None
    place_name: str | None = None
    place_country: str | None = None
    matching_rules: list[str] = field(default_factory=list)
    source: str = "replay"  # v2, v1.1 or replay

    def to_json_line(self) -> bytes:
        """One spool line, newline-terminated."""
        return orjson.dumps(self) + b"\n"  # orjson serialises dataclasses natively


# Spark reads the spool with this schema, so a field added above must be added here too.
SPOOL_SCHEMA_DDL = (
    "tweet_id STRING, text STRING, created_at STRING, lang STRING, author_id STRING, "
    "author_username STRING, author_name STRING, author_followers BIGINT, place_name STRING, "
    "place_country STRING, matching_rules ARRAY<STRING>, source STRING"
)
