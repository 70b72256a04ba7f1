"""The v2 filtered-stream client against a real local HTTP server standing in for the X API."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from collector.reconnect import Backoff
from collector.run import collect
from collector.stream_rules import StreamRule, campaign_rules
from collector.v2_stream import STREAM_PARAMS, V2Stream
from leadstream.campaigns import Campaign
from leadstream.errors import ConfigError, LeadstreamError

STREAM = "/2/tweets/search/stream"
RULES = "/2/tweets/search/stream/rules"
TOKEN = "test-bearer-token-do-not-log"
CAMPAIGNS = (
    Campaign("roofing", ("roofer", "roof repair"), languages=("en", "de")),
    Campaign("freight", ("freight", "forwarder"), languages=("fi",)),
)


def take(lines, count: int) -> list[bytes]:
    """The first `count` non-blank lines (keep-alives skipped)."""
    taken = []
    for line in lines:
        if line.strip():
            taken.append(line)
        if len(taken) == count:
            break
    return taken


@pytest.fixture
def client(fake_x_api, sleep_log):
    stream = V2Stream(TOKEN, CAMPAIGNS, base_url=fake_x_api.url, sleep=sleep_log)
    yield stream
    stream.close()


def test_rules_from_campaigns_quote_phrases_and_add_languages():
    assert campaign_rules(CAMPAIGNS) == [
        StreamRule('(roofer OR "roof repair") (lang:en OR lang:de) -is:retweet', "roofing"),
        StreamRule("(freight OR forwarder) lang:fi -is:retweet", "freight"),
    ]


def test_long_campaign_is_split_over_rules_with_one_tag():
    keywords = tuple(f"keyword{n:03d}" for n in range(120))
    rules = campaign_rules([Campaign("big", keywords, languages=("en", "fi"))], max_length=200)

    assert len(rules) > 1
    assert {rule.tag for rule in rules} == {"big"}
    assert all(len(rule.value) <= 200 for rule in rules)
    assert all(rule.value.endswith("(lang:en OR lang:fi) -is:retweet") for rule in rules)
    joined = " ".join(rule.value for rule in rules)
    assert all(f"{keyword} " in joined or f"{keyword})" in joined for keyword in keywords)


def test_a_keyword_too_long_for_any_rule_names_the_campaign():
    with pytest.raises(ConfigError, match="campaign 'wordy'"):
        campaign_rules([Campaign("wordy", ("x" * 600,))])


def test_rules_sync_deletes_stale_rules_and_adds_missing_ones(fake_x_api, client):
    wanted = campaign_rules(CAMPAIGNS)
    fake_x_api.rules = [
        {"id": "1", "value": wanted[0].value, "tag": wanted[0].tag},
        {"id": "2", "value": "old campaign", "tag": "old"},
    ]

    assert client.sync_rules() == {"added": 1, "deleted": 1}

    assert {(r["value"], r["tag"]) for r in fake_x_api.rules} == {(r.value, r.tag) for r in wanted}
    posts = [json.loads(s.body) for s in fake_x_api.connections(RULES) if s.method == "POST"]
    assert posts == [
        {"delete": {"ids": ["2"]}},
        {"add": [{"value": wanted[1].value, "tag": "freight"}]},
    ]
    assert all(s.headers["Authorization"] == f"Bearer {TOKEN}" for s in fake_x_api.seen)
    assert client.sync_rules() == {"added": 0, "deleted": 0}


def test_rules_the_api_rejects_are_reported(fake_x_api, client):
    fake_x_api.reject_rules = True

    with pytest.raises(LeadstreamError, match="rejected a stream rule .*UnprocessableEntity"):
        client.sync_rules()


@pytest.mark.timeout(30)
def test_stop_ends_a_long_backoff_at_once(fake_x_api, answer):
    fake_x_api.scripts[STREAM].append(answer(status=503))
    stop = threading.Event()
    stream = V2Stream(
        TOKEN, CAMPAIGNS, base_url=fake_x_api.url, stop=stop, backoff=Backoff(scale=100)
    )
    threading.Timer(0.2, stop.set).start()

    assert take(stream.lines(), 1) == []  # would otherwise wait 500 s before reconnecting


@pytest.mark.timeout(30)
def test_stream_survives_a_dropped_connection(fake_x_api, answer, client, sleep_log, v2_line):
    fake_x_api.scripts[STREAM].extend(
        [
            answer(lines=[v2_line(1), b"", v2_line(2), b""], then="drop"),
            answer(lines=[b"", v2_line(3)], then="hold"),
        ]
    )

    lines = take(client.lines(), 3)

    assert lines == [v2_line(1), v2_line(2), v2_line(3)]
    assert sleep_log == [0.25]  # first network error: the shortest linear step
    connects = fake_x_api.connections(STREAM)
    assert len(connects) == 2
    query = {k: v[0] for k, v in parse_qs(urlsplit(connects[0].path).query).items()}
    assert query == STREAM_PARAMS
    assert len(fake_x_api.rules) == 2  # rules were synced once, before the first connection


@pytest.mark.timeout(30)
def test_rate_limits_and_server_errors_back_off_as_documented(
    fake_x_api, answer, client, sleep_log, v2_line
):
    too_many = {"title": "ConnectionException", "connection_issue": "TooManyConnections"}
    fake_x_api.scripts[STREAM].extend(
        [
            answer(status=429, body=too_many),
            answer(status=429, body=too_many),
            answer(status=429, body=too_many),
            answer(status=503),
            answer(status=503),
            answer(status=500),
            answer(lines=[v2_line(1)], then="drop"),
            answer(status=503),
            answer(lines=[v2_line(2)]),
        ]
    )

    assert take(client.lines(), 2) == [v2_line(1), v2_line(2)]

    # 429: from a minute, doubling; 5xx: from 5 s, doubling; data resets both; a drop is linear.
    assert sleep_log == [60, 120, 240, 5, 10, 20, 0.25, 5]


def test_backoff_caps():
    backoff = Backoff()
    network = [backoff.after_network_error() for _ in range(70)]
    http = [backoff.after_http_error() for _ in range(10)]
    limited = [backoff.after_rate_limit() for _ in range(6)]

    assert network[:3] == [0.25, 0.5, 0.75] and network[-1] == 16.0
    assert http == [5, 10, 20, 40, 80, 160, 320, 320, 320, 320]
    assert limited == [60, 120, 240, 480, 960, 960]
    assert Backoff(scale=0.01).after_http_error() == pytest.approx(0.05)


@pytest.mark.timeout(30)
def test_a_stalled_stream_is_reconnected(fake_x_api, answer, sleep_log, v2_line):
    fake_x_api.scripts[STREAM].extend(
        [answer(lines=[v2_line(1)], then="silent"), answer(lines=[v2_line(2)])]
    )
    stream = V2Stream(
        TOKEN, CAMPAIGNS, base_url=fake_x_api.url, sleep=sleep_log, stall_seconds=0.3
    )
    try:
        assert take(stream.lines(), 2) == [v2_line(1), v2_line(2)]
    finally:
        stream.close()

    assert sleep_log == [0.25]


@pytest.mark.parametrize("status", [401, 403])
def test_refused_token_is_one_clear_config_error(fake_x_api, answer, client, status):
    fake_x_api.scripts[STREAM].append(answer(status=status, body={"title": "Unauthorized"}))

    with pytest.raises(ConfigError) as caught:
        take(client.lines(), 1)

    message = str(caught.value)
    assert f"HTTP {status}" in message and "LEADSTREAM_BEARER_TOKEN" in message
    assert TOKEN not in message and "\n" not in message


def test_missing_token_is_a_config_error():
    with pytest.raises(ConfigError, match="LEADSTREAM_BEARER_TOKEN is not set"):
        V2Stream("", CAMPAIGNS)


@pytest.mark.timeout(30)
def test_collect_from_v2_spools_tagged_tweets(
    fake_x_api, answer, collector_settings, fixture_lines, caplog
):
    lines = fixture_lines("v2_stream_lines.jsonl")
    fake_x_api.scripts[STREAM].extend(
        [answer(lines=lines[:4], then="drop"), answer(lines=[b"", lines[4]])]
    )
    settings = dataclasses.replace(collector_settings, bearer_token=TOKEN)

    stats = collect(settings, source="v2", api_url=fake_x_api.url, limit=5)

    assert (stats["spooled"], stats["control_messages"], stats["stopped_by"]) == (4, 1, "limit")
    assert stats["by_source"] == {"v2": 4}
    tweets = [
        json.loads(line)
        for path in sorted((settings.spool_dir / "tweets").glob("*.jsonl"))
        for line in path.read_bytes().splitlines()
    ]
    assert [t["matching_rules"] for t in tweets] == [
        ["construction"],
        ["software"],
        ["logistics"],
        ["office"],
    ]
    assert TOKEN not in caplog.text


@pytest.mark.timeout(30)
def test_stop_event_ends_collect_on_a_quiet_stream(fake_x_api, collector_settings):
    settings = dataclasses.replace(collector_settings, bearer_token=TOKEN)
    stop = threading.Event()
    result = {}
    worker = threading.Thread(
        target=lambda: result.update(collect(settings, "v2", fake_x_api.url, stop=stop))
    )
    worker.start()
    while not fake_x_api.connections(STREAM):  # connected; the stream only sends keep-alives
        time.sleep(0.02)
    stop.set()
    worker.join(timeout=10)

    assert not worker.is_alive()
    assert (result["stopped_by"], result["received"]) == ("stop", 0)
