"""Collector test fixtures: settings on a temp data dir, payload files, and a local fake X API."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from leadstream.settings import Settings, load_settings

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_PAYLOADS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "api_payloads"
V2_STREAM = "/2/tweets/search/stream"
V2_RULES = "/2/tweets/search/stream/rules"
V1_FILTER = "/1.1/statuses/filter.json"


@pytest.fixture
def shared_payloads() -> Path:
    """The real API payloads in ../shared/data/api_payloads, or a skip when they are absent."""
    if not SHARED_PAYLOADS.is_dir():
        pytest.skip(f"real API payloads not available at {SHARED_PAYLOADS.resolve()}")
    return SHARED_PAYLOADS.resolve()


@pytest.fixture
def fixture_lines() -> Callable[[str], list[bytes]]:
    """The non-blank lines of one of our hand-written fixture files."""
    return lambda name: [ln for ln in (FIXTURES / name).read_bytes().splitlines() if ln.strip()]


@pytest.fixture
def collector_settings(tmp_path: Path) -> Settings:
    """Settings on a fresh data dir, ignoring the caller's LEADSTREAM_* environment."""
    return load_settings(
        {"data_dir": tmp_path / "data", "spool_roll_seconds": 0.2, "spool_roll_tweets": 3},
        env={},
    )


@pytest.fixture
def v2_line() -> Callable[..., bytes]:
    """A v2 filtered-stream line in the real shape, numbered so tests can follow each tweet."""

    def make(number: int, text: str = "need a roofer for our depot", tag: str = "construction"):
        tweet_id = str(1861000000000100000 + number)
        line = {
            "data": {
                "id": tweet_id,
                "text": f"{text} #{number}",
                "author_id": "5001",
                "created_at": "2026-11-29T10:15:00.000Z",
                "lang": "en",
            },
            "includes": {"users": [{"id": "5001", "username": "depot_ops", "name": "Depot"}]},
            "matching_rules": [{"id": "1861000000000000900", "tag": tag}],
        }
        return json.dumps(line).encode()

    return make


@dataclass
class Answer:
    """How the fake API answers one stream connection."""

    status: int = 200
    lines: list[bytes] = field(default_factory=list)
    then: str = "hold"  # drop: cut mid-stream; end: finish; hold: keep-alives; silent: nothing
    body: dict | None = None


@dataclass
class Seen:
    """One request the fake API received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class FakeXApi:
    """A real HTTP server on 127.0.0.1 standing in for the X API (rules and both streams)."""

    def __init__(self) -> None:
        self.rules: list[dict] = []
        self.scripts: dict[str, deque[Answer]] = {V2_STREAM: deque(), V1_FILTER: deque()}
        self.seen: list[Seen] = []
        self.reject_rules = False  # answer rule additions the way the API answers invalid rules
        self.closing = threading.Event()
        self._next_rule_id = 1861000000000000900
        handler = type("Handler", (_Handler,), {"api": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def connections(self, path: str) -> list[Seen]:
        """Requests made to one path, in order."""
        return [s for s in self.seen if urlsplit(s.path).path == path]

    def rules_answer(self, method: str, body: bytes) -> dict:
        """What GET/POST /2/tweets/search/stream/rules returns, keeping the rule list."""
        if method == "GET":
            meta = {"sent": "2026-11-29T10:00:00.000Z", "result_count": len(self.rules)}
            return {"data": list(self.rules), "meta": meta} if self.rules else {"meta": meta}
        request = json.loads(body)
        if "delete" in request:
            ids = set(request["delete"]["ids"])
            self.rules = [r for r in self.rules if r["id"] not in ids]
            return {"meta": {"summary": {"deleted": len(ids), "not_deleted": 0}}}
        if self.reject_rules:
            errors = [
                {"value": r["value"], "title": "UnprocessableEntity"} for r in request["add"]
            ]
            return {"errors": errors, "meta": {"summary": {"created": 0, "invalid": len(errors)}}}
        added = []
        for rule in request["add"]:
            self._next_rule_id += 1
            added.append({"id": str(self._next_rule_id), **rule})
        self.rules.extend(added)
        return {"data": added, "meta": {"summary": {"created": len(added), "valid": len(added)}}}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    api: FakeXApi

    def log_message(self, *_args) -> None:
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.api.seen.append(Seen(method, self.path, dict(self.headers), body))
        path = urlsplit(self.path).path
        if path == V2_RULES:
            return self._json(200, self.api.rules_answer(method, body))
        if path not in self.api.scripts:
            return self._json(404, {"title": "Not Found Error"})
        script = self.api.scripts[path]
        answer = script.popleft() if script else Answer()
        if answer.status != 200:
            return self._json(answer.status, answer.body or {"title": f"HTTP {answer.status}"})
        try:
            self._stream(answer)
        except OSError:
            self.close_connection = True  # the client went away

    def _stream(self, answer: Answer) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for line in answer.lines:
            self._chunk(line + b"\r\n")
        if answer.then == "drop":
            self.close_connection = True  # no final chunk: the client sees a cut stream
            return
        while answer.then in ("hold", "silent") and not self.api.closing.wait(0.02):
            if answer.then == "hold":
                self._chunk(b"\r\n")  # keep-alive
        self._chunk(b"")
        self.close_connection = True

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _json(self, status: int, document: dict) -> None:
        payload = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def fake_x_api() -> Iterator[FakeXApi]:
    """A running fake X API; stopped (and every held stream ended) after the test."""
    api = FakeXApi()
    thread = threading.Thread(target=api.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield api
    api.closing.set()
    api.server.shutdown()
    api.server.server_close()


class SleepLog(list):
    """An injectable sleep that records the delays asked for and returns at once."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleep_log() -> SleepLog:
    """A fresh recording sleep."""
    return SleepLog()


@pytest.fixture
def answer() -> type[Answer]:
    """The Answer class, so tests can script the fake API without importing conftest."""
    return Answer
