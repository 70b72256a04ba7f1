"""Normalise one raw stream line (API v2 or v1.1) into a Tweet, a control message, or a rejection.

Retweets from v1.1 keep the retweeter as author and id but carry the original's untruncated text
as "RT @original: full text", so the classifier reads the whole post and still sees it is a
retweet (the v2 rules exclude retweets with -is:retweet, so v2 lines have no such case).
Optional enrichments (author, place, rules) of the wrong type are left empty rather than rejected;
id, text and created_at must be right or the line is rejected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from leadstream.tweet import Tweet

RawLine = bytes | str

# Messages statuses/filter interleaves with tweets; they inform, they are not posts.
V1_CONTROL_KINDS = (
    "delete",
    "scrub_geo",
    "limit",
    "status_withheld",
    "user_withheld",
    "disconnect",
    "warning",
)
_V1_TIME = "%a %b %d %H:%M:%S %z %Y"


class MalformedTweet(ValueError):
    """A stream line that is neither a usable tweet nor a known control message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ControlMessage:
    """A non-tweet stream message (delete, limit, operational-disconnect ...), counted by kind."""

    kind: str
    detail: dict[str, Any] = field(default_factory=dict)


def normalize_line(raw: RawLine, source: str = "replay") -> Tweet | ControlMessage:
    """Turn one stream line into a Tweet or ControlMessage; raise MalformedTweet otherwise."""
    try:
        message = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MalformedTweet(f"not valid JSON (truncated line?): {exc}") from None
    if not isinstance(message, dict):
        raise MalformedTweet(f"expected a JSON object, got {type(message).__name__}")
    if "data" in message:
        return _v2_tweet(message, source)
    if control := _control_message(message):
        return control
    return _v1_tweet(message, source)


def _control_message(message: dict) -> ControlMessage | None:
    """The control message this object is, if it is one (v2 errors or a v1.1 notice)."""
    if "errors" in message:
        errors = message["errors"]
        first = errors[0] if isinstance(errors, list) and errors else {}
        kind = first.get("title") if isinstance(first, dict) else None
        return ControlMessage(str(kind or "error"), {"errors": errors})
    if "connection_issue" in message:  # v2 connection problem sent as a body, not a tweet
        return ControlMessage(str(message["connection_issue"]), message)
    for kind in V1_CONTROL_KINDS:
        if kind in message and "text" not in message:
            body = message[kind]
            return ControlMessage(kind, body if isinstance(body, dict) else {kind: body})
    return None


def _v2_tweet(message: dict, source: str) -> Tweet:
    """Build a Tweet from a v2 filtered-stream line (data + includes + matching_rules)."""
    data = message["data"]
    if not isinstance(data, dict):
        raise MalformedTweet("v2 line: 'data' is not an object")
    note = data.get("note_tweet")
    text = note.get("text") if isinstance(note, dict) else None
    text = text if isinstance(text, str) and text else _required_text(data, ("text",))
    includes = message.get("includes") if isinstance(message.get("includes"), dict) else {}
    author_id = _optional_id(data.get("author_id"))
    user = _find_by_id(includes.get("users"), author_id)
    geo = data.get("geo") if isinstance(data.get("geo"), dict) else {}
    place = _find_by_id(includes.get("places"), _optional_id(geo.get("place_id")))
    metrics = user.get("public_metrics") if isinstance(user.get("public_metrics"), dict) else {}
    return Tweet(
        tweet_id=_required_id(data.get("id")),
        text=text,
        created_at=_v2_time(data.get("created_at")),
        lang=_optional_str(data.get("lang")),
        author_id=author_id,
        author_username=_optional_str(user.get("username")),
        author_name=_optional_str(user.get("name")),
        author_followers=_optional_int(metrics.get("followers_count")),
        place_name=_optional_str(place.get("full_name")),
        place_country=_optional_str(place.get("country")),
        matching_rules=_rule_tags(message.get("matching_rules")),
        source=source,
    )


def _v1_tweet(status: dict, source: str) -> Tweet:
    """Build a Tweet from a v1.1 status (statuses/filter, Twython)."""
    user = status.get("user") if isinstance(status.get("user"), dict) else {}
    place = status.get("place") if isinstance(status.get("place"), dict) else {}
    return Tweet(
        tweet_id=_required_id(status.get("id_str", status.get("id"))),
        text=_v1_text(status),
        created_at=_v1_time(status.get("created_at")),
        lang=_optional_str(status.get("lang")),
        author_id=_optional_id(user.get("id_str", user.get("id"))),
        author_username=_optional_str(user.get("screen_name")),
        author_name=_optional_str(user.get("name")),
        author_followers=_optional_int(user.get("followers_count")),
        place_name=_optional_str(place.get("full_name")),
        place_country=_optional_str(place.get("country")),
        matching_rules=[],
        source=source,
    )


def _v1_text(status: dict) -> str:
    """The untruncated text; a retweet carries its original's text after 'RT @original: '."""
    original = status.get("retweeted_status")
    if isinstance(original, dict):
        author = original.get("user") if isinstance(original.get("user"), dict) else {}
        name = author.get("screen_name")
        prefix = f"RT @{name}: " if isinstance(name, str) and name else "RT: "
        return prefix + _v1_text(original)
    extended = status.get("extended_tweet")
    full = extended.get("full_text") if isinstance(extended, dict) else None
    if isinstance(full, str) and full:
        return full
    return _required_text(status, ("full_text", "text"))


def _required_text(obj: dict, keys: tuple[str, ...]) -> str:
    """The first of keys holding a non-empty string, or a rejection naming what was wrong."""
    for key in keys:
        if key in obj:
            value = obj[key]
            if not isinstance(value, str):
                raise MalformedTweet(f"'{key}' must be a string, got {type(value).__name__}")
            if value:
                return value
    raise MalformedTweet("missing text")


def _required_id(value: object) -> str:
    """A tweet id as a string of digits; ids arrive as strings (v2, id_str) or integers."""
    if value is None:
        raise MalformedTweet("missing id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedTweet(f"tweet id must be a string or integer, got {type(value).__name__}")
    text = str(value)
    if not text.isdigit():
        raise MalformedTweet(f"tweet id must be digits, got {text[:30]!r}")
    return text


def _optional_id(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value)


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _optional_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _find_by_id(entries: object, wanted: str | None) -> dict:
    """The includes entry (user or place) whose id is wanted, or an empty dict."""
    if wanted is None or not isinstance(entries, list):
        return {}
    return next((e for e in entries if isinstance(e, dict) and str(e.get("id")) == wanted), {})


def _rule_tags(rules: object) -> list[str]:
    """Distinct rule tags in order; one campaign may be split over several rules with one tag."""
    if not isinstance(rules, list):
        return []
    tags = [r.get("tag") for r in rules if isinstance(r, dict)]
    return list(dict.fromkeys(t for t in tags if isinstance(t, str) and t))


def _v2_time(value: object) -> str:
    """v2 created_at ('2021-04-01T15:52:31.000Z') as ISO UTC to the second."""
    if value is None:
        return _now()
    if not isinstance(value, str):
        raise MalformedTweet(f"'created_at' must be a string, got {type(value).__name__}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise MalformedTweet(f"'created_at' is not an ISO 8601 time: {value[:40]!r}") from None
    return _iso(moment)


def _v1_time(value: object) -> str:
    """v1.1 created_at ('Wed Oct 10 20:19:24 +0000 2018') as ISO UTC ('2018-10-10T20:19:24Z')."""
    if value is None:
        return _now()
    if not isinstance(value, str):
        raise MalformedTweet(f"'created_at' must be a string, got {type(value).__name__}")
    try:
        moment = datetime.strptime(value, _V1_TIME)
    except ValueError:
        raise MalformedTweet(f"'created_at' is not a v1.1 time: {value[:40]!r}") from None
    return _iso(moment)


def _iso(moment: datetime) -> str:
    # A time without zone is taken as UTC, which is what both APIs send.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _now() -> str:
    """Collection time, standing in for a created_at the line did not carry."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
