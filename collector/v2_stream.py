"""The X API v2 filtered stream: sync the campaign rules, then read lines, reconnecting politely.

The bearer token goes only into the Authorization header; it is never logged or put in errors.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator

import requests

from collector.reconnect import Backoff, HttpStatusError, reconnecting
from collector.stream_rules import MAX_RULE_LENGTH, campaign_rules
from leadstream.campaigns import Campaign
from leadstream.errors import ConfigError, LeadstreamError

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.twitter.com"
STREAM_PATH = "/2/tweets/search/stream"
RULES_PATH = "/2/tweets/search/stream/rules"
STREAM_PARAMS = {
    "expansions": "author_id,geo.place_id",
    "tweet.fields": "created_at,lang,author_id,geo,note_tweet",
    "user.fields": "username,name,public_metrics",
    "place.fields": "full_name,country",
}
STALL_SECONDS = 90.0  # the stream sends a keep-alive every ~20 s; silence this long is a stall


class V2Stream:
    """Filtered-stream client: rules from campaigns, one long GET, reconnects with backoff."""

    def __init__(
        self,
        bearer_token: str,
        campaigns: Iterable[Campaign],
        *,
        base_url: str | None = None,
        stop: threading.Event | None = None,
        sleep: Callable[[float], object] | None = None,
        backoff: Backoff | None = None,
        stall_seconds: float = STALL_SECONDS,
        max_rule_length: int = MAX_RULE_LENGTH,
    ) -> None:
        if not bearer_token:
            raise ConfigError(
                "LEADSTREAM_BEARER_TOKEN is not set: the v2 filtered stream needs an app bearer "
                "token"
            )
        self.base_url = (base_url or DEFAULT_API_URL).rstrip("/")
        self.rules = campaign_rules(campaigns, max_rule_length)
        self.stop = stop if stop is not None else threading.Event()
        self.sleep = sleep if sleep is not None else self.stop.wait
        self.backoff = backoff if backoff is not None else Backoff()
        self.stall_seconds = stall_seconds
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {bearer_token}"
        self.session.headers["User-Agent"] = "leadstream-collector"
        self._rules_synced = False
        self._response: requests.Response | None = None

    def lines(self) -> Iterator[bytes]:
        """Raw stream lines (blank ones are keep-alives) until stop is set; 401/403 raise."""
        return reconnecting(self._connect, _refused, self.backoff, self.sleep, self.stop)

    def sync_rules(self) -> dict[str, int]:
        """Make the server's rules exactly the campaign rules; return how many were changed.

        Rules the campaigns do not produce are deleted, so give Leadstream an app of its own.
        """
        existing = self._request("GET", RULES_PATH).json().get("data") or []
        wanted = {(rule.value, rule.tag) for rule in self.rules}
        unwanted = [r["id"] for r in existing if (r.get("value"), r.get("tag")) not in wanted]
        present = {(r.get("value"), r.get("tag")) for r in existing}
        missing = [rule for rule in self.rules if (rule.value, rule.tag) not in present]
        if unwanted:
            self._request("POST", RULES_PATH, json={"delete": {"ids": unwanted}})
        if missing:
            added = [{"value": rule.value, "tag": rule.tag} for rule in missing]
            _check_added(self._request("POST", RULES_PATH, json={"add": added}).json())
        kept = len(self.rules) - len(missing)
        log.info("stream rules: %d kept, %d added, %d deleted", kept, len(missing), len(unwanted))
        return {"added": len(missing), "deleted": len(unwanted)}

    def close(self) -> None:
        """Cut the open connection so a blocked read returns at once (used when stopping)."""
        self.stop.set()
        if (response := self._response) is not None:
            # The connection may already be gone; then there is nothing left to cut.
            with contextlib.suppress(ValueError, RuntimeError, OSError):
                response.raw.shutdown()

    def _connect(self) -> Iterator[bytes]:
        """One connection: sync rules the first time, then yield the stream's lines."""
        if not self._rules_synced:
            self.sync_rules()
            self._rules_synced = True
        response = self._request("GET", STREAM_PATH, params=STREAM_PARAMS, stream=True)
        self._response = response
        try:
            # chunk_size=None hands over each HTTP chunk as it arrives (the stream is chunked)
            # instead of blocking until 512 bytes have come in.
            yield from response.iter_lines(chunk_size=None)
        finally:
            self._response = None
            response.close()

    def _request(self, method: str, path: str, **kwargs) -> requests.Response:
        """Send one request; a non-success status becomes HttpStatusError."""
        response = self.session.request(
            method, self.base_url + path, timeout=(10.0, self.stall_seconds), **kwargs
        )
        if response.status_code >= 300:
            detail = _error_detail(response)
            response.close()
            raise HttpStatusError(response.status_code, detail)
        return response


def _refused(error: HttpStatusError) -> ConfigError:
    return ConfigError(
        f"the X API refused the bearer token (HTTP {error.status}): check "
        "LEADSTREAM_BEARER_TOKEN and that the app's access level includes the filtered stream"
    )


def _check_added(answer: dict) -> None:
    """Invalid rules come back as 'errors' in a success answer; name the first one."""
    errors = answer.get("errors") or []
    if errors:
        first = errors[0] if isinstance(errors[0], dict) else {}
        raise LeadstreamError(
            f"the X API rejected a stream rule ({first.get('title', 'invalid rule')}: "
            f"{first.get('value', first.get('detail', ''))}): fix the campaign keywords"
        )


def _error_detail(response: requests.Response) -> str:
    """The API's own title/detail for a failed request, short enough for one log line."""
    try:
        body = response.json()
    except ValueError:
        return response.reason or ""
    if isinstance(body, dict):
        first = (body.get("errors") or [body])[0]
        if isinstance(first, dict):
            return str(first.get("detail") or first.get("title") or response.reason)[:200]
    return response.reason or ""
