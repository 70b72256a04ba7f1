"""v1.1 statuses/filter through Twython, for deployments that have a v1.1-compatible endpoint.

X's own v1.1 statuses/filter answers 403 today; use the v2 stream there. TwythonStreamer builds
its URL from a fixed host inside `statuses.filter()`, which is only a thin call of
`TwythonStreamer._request(url, "POST", params)`; calling `_request` with a URL built from our
base URL points it anywhere without patching Twython. Twython's own loop reconnects at once,
forever; here one `_request` call is one connection, and `reconnect.reconnecting` owns the backoff.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import orjson
from twython import TwythonStreamer

from collector.reconnect import Backoff, HttpStatusError, StreamEnded, reconnecting
from leadstream.campaigns import Campaign
from leadstream.errors import ConfigError

DEFAULT_STREAM_URL = "https://stream.twitter.com"
FILTER_PATH = "/1.1/statuses/filter.json"
CREDENTIAL_VARIABLES = (
    "LEADSTREAM_TWITTER_APP_KEY",
    "LEADSTREAM_TWITTER_APP_SECRET",
    "LEADSTREAM_TWITTER_OAUTH_TOKEN",
    "LEADSTREAM_TWITTER_OAUTH_TOKEN_SECRET",
)
MAX_TRACK_KEYWORDS = 400  # statuses/filter's documented limit


@dataclass(frozen=True)
class V1Credentials:
    """OAuth 1.0a user-context keys; repr hides them so they never reach a log."""

    app_key: str = field(repr=False)
    app_secret: str = field(repr=False)
    oauth_token: str = field(repr=False)
    oauth_token_secret: str = field(repr=False)


def v1_credentials_from_env(env: Mapping[str, str] | None = None) -> V1Credentials:
    """Read the four OAuth keys from the environment, naming any that are missing."""
    env = os.environ if env is None else env
    values = [env.get(name, "").strip() for name in CREDENTIAL_VARIABLES]
    if missing := [
        name for name, value in zip(CREDENTIAL_VARIABLES, values, strict=True) if not value
    ]:
        raise ConfigError(f"{', '.join(missing)}: set these to use --source v1.1")
    return V1Credentials(*values)


def track_keywords(campaigns: Iterable[Campaign]) -> list[str]:
    """Every campaign keyword once, in campaign order, for the `track` parameter."""
    keywords = list(dict.fromkeys(k for c in campaigns for k in c.keywords))
    if len(keywords) > MAX_TRACK_KEYWORDS:
        raise ConfigError(
            f"campaigns: {len(keywords)} keywords, but statuses/filter tracks at most "
            f"{MAX_TRACK_KEYWORDS}; remove some"
        )
    return keywords


class V1Stream:
    """statuses/filter (track = campaign keywords) as raw lines, reconnecting with backoff."""

    def __init__(
        self,
        credentials: V1Credentials,
        campaigns: Iterable[Campaign],
        *,
        base_url: str | None = None,
        stop: threading.Event | None = None,
        sleep: Callable[[float], object] | None = None,
        backoff: Backoff | None = None,
        stall_seconds: float = 90.0,
    ) -> None:
        campaigns = tuple(campaigns)
        self.url = (base_url or DEFAULT_STREAM_URL).rstrip("/") + FILTER_PATH
        self.params: dict[str, object] = {"track": track_keywords(campaigns)}
        if campaigns and all(c.languages for c in campaigns):
            self.params["language"] = sorted({lang for c in campaigns for lang in c.languages})
        self.credentials = credentials
        self.stop = stop if stop is not None else threading.Event()
        self.sleep = sleep if sleep is not None else self.stop.wait
        self.backoff = backoff if backoff is not None else Backoff()
        self.stall_seconds = stall_seconds
        self._streamer: _LineStreamer | None = None

    def lines(self) -> Iterator[bytes]:
        """Raw status and control-message lines until stop is set; 401/403 raise."""
        return reconnecting(self._connect, _refused, self.backoff, self.sleep, self.stop)

    def close(self) -> None:
        """Stop, and cut the open connection so Twython's blocked read returns."""
        self.stop.set()
        if (streamer := self._streamer) is not None:
            streamer.cut()

    def _connect(self) -> Iterator[bytes]:
        """One connection in a Twython thread; its lines and its ending come through a queue."""
        inbox: queue.Queue = queue.Queue()
        streamer = _LineStreamer(self.credentials, inbox.put, self.stall_seconds)
        self._streamer = streamer

        def run() -> None:
            try:
                streamer._request(self.url, "POST", params=self.params)
            except Exception as error:  # handed to the reading side, which raises it
                inbox.put(error)
            else:
                inbox.put(StreamEnded("the stream stopped"))

        threading.Thread(target=run, name="twython-stream", daemon=True).start()
        try:
            while not self.stop.is_set():
                with contextlib.suppress(queue.Empty):
                    item = inbox.get(timeout=0.5)
                    if isinstance(item, Exception):
                        raise item
                    yield item
        finally:
            streamer.cut()
            self._streamer = None


class _LineStreamer(TwythonStreamer):
    """A TwythonStreamer that hands every message on and leaves reconnecting to the caller."""

    def __init__(self, credentials: V1Credentials, deliver, stall_seconds: float) -> None:
        super().__init__(
            credentials.app_key,
            credentials.app_secret,
            credentials.oauth_token,
            credentials.oauth_token_secret,
            timeout=stall_seconds,
            chunk_size=None,  # hand over each chunk as it arrives, not byte by byte
            handlers=[],
        )
        self.deliver = deliver
        self.response = None
        self.client.hooks["response"].append(self._end_with_stream)

    def on_success(self, data) -> bool:
        # Twython has already decoded the line; re-encode so every source yields raw lines.
        self.deliver(orjson.dumps(data))
        return False

    def on_error(self, status_code, data, headers=None) -> None:
        if status_code == 200:  # Twython's report of a line that is not JSON
            self.deliver(b"<a v1.1 stream line that was not valid JSON>")
            return
        detail = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
        raise HttpStatusError(status_code, detail[:200])

    def on_timeout(self) -> None:
        raise StreamEnded("no answer from the v1.1 endpoint")

    def cut(self) -> None:
        """End Twython's loop and interrupt a blocked read."""
        self.disconnect()
        if self.response is not None:
            with contextlib.suppress(ValueError, RuntimeError, OSError):
                self.response.raw.shutdown()

    def _end_with_stream(self, response, *_args, **_kwargs):
        """Make the end of a 200 response an error, so Twython does not reconnect by itself."""
        self.response = response
        if response.status_code == 200:
            lines = response.iter_lines

            def lines_then_end(*args, **kwargs):
                yield from lines(*args, **kwargs)
                raise StreamEnded("the server closed the stream")

            response.iter_lines = lines_then_end
        return response


def _refused(error: HttpStatusError) -> ConfigError:
    if error.status == 403:
        return ConfigError(
            "the v1.1 statuses/filter endpoint answered 403 Forbidden (X has retired it for most "
            "apps): use --source v2 with LEADSTREAM_BEARER_TOKEN, or --api-url pointing at a "
            "v1.1-compatible endpoint"
        )
    return ConfigError(
        "the v1.1 endpoint refused the OAuth credentials (HTTP 401): check "
        "LEADSTREAM_TWITTER_APP_KEY, _APP_SECRET, _OAUTH_TOKEN and _OAUTH_TOKEN_SECRET"
    )
