"""The Twython v1.1 statuses/filter client against a real local HTTP server."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from collector.run import collect
from collector.v1_stream import (
    CREDENTIAL_VARIABLES,
    V1Credentials,
    V1Stream,
    track_keywords,
    v1_credentials_from_env,
)
from leadstream.campaigns import Campaign
from leadstream.errors import ConfigError

FILTER = "/1.1/statuses/filter.json"
CREDENTIALS = V1Credentials("app-key", "app-secret", "oauth-token", "oauth-token-secret")
ENV = dict(zip(CREDENTIAL_VARIABLES, ("app-key", "app-secret", "tok", "tok-secret"), strict=True))
CAMPAIGNS = (
    Campaign("roofing", ("roofer", "roof repair"), languages=("en", "de")),
    Campaign("freight", ("freight", "roofer"), languages=("fi",)),
)


def take(lines, count: int) -> list[dict]:
    taken = []
    for line in lines:
        taken.append(json.loads(line))
        if len(taken) == count:
            break
    return taken


@pytest.fixture
def client(fake_x_api, sleep_log):
    stream = V1Stream(CREDENTIALS, CAMPAIGNS, base_url=fake_x_api.url, sleep=sleep_log)
    yield stream
    stream.close()


def test_credentials_come_from_the_environment_and_stay_out_of_repr():
    credentials = v1_credentials_from_env(ENV)

    assert credentials.oauth_token == "tok"
    assert "app-secret" not in repr(credentials)


def test_missing_credentials_are_named():
    with pytest.raises(ConfigError) as caught:
        v1_credentials_from_env({"LEADSTREAM_TWITTER_APP_KEY": "k"})

    assert "LEADSTREAM_TWITTER_APP_SECRET" in str(caught.value)
    assert "LEADSTREAM_TWITTER_APP_KEY," not in str(caught.value)


def test_track_lists_each_campaign_keyword_once():
    assert track_keywords(CAMPAIGNS) == ["roofer", "roof repair", "freight"]


@pytest.mark.timeout(30)
def test_filter_stream_signed_tracked_and_reconnected(
    fake_x_api, answer, client, sleep_log, fixture_lines
):
    statuses = fixture_lines("v1_stream_lines.jsonl")
    fake_x_api.scripts[FILTER].extend(
        [
            answer(lines=[statuses[0], b"", statuses[3]], then="drop"),
            answer(lines=[statuses[1]]),
        ]
    )

    messages = take(client.lines(), 3)

    assert [m.get("id_str") or next(iter(m)) for m in messages] == [
        "1050118621198921728",
        "delete",
        "1050295000000000001",
    ]
    assert sleep_log == [0.25]
    first = fake_x_api.connections(FILTER)[0]
    assert first.method == "POST"
    assert parse_qs(first.body.decode()) == {
        "track": ["roofer,roof repair,freight"],
        "language": ["de,en,fi"],
    }
    assert first.headers["Authorization"].startswith("OAuth ")
    assert 'oauth_consumer_key="app-key"' in first.headers["Authorization"]


@pytest.mark.timeout(30)
def test_server_errors_back_off_exponentially(fake_x_api, answer, client, sleep_log, v2_line):
    fake_x_api.scripts[FILTER].extend(
        [answer(status=503), answer(status=420), answer(lines=[v2_line(1)])]
    )

    assert len(take(client.lines(), 1)) == 1
    assert sleep_log == [5, 60]


def test_retired_endpoint_403_says_to_use_v2(fake_x_api, answer, client):
    fake_x_api.scripts[FILTER].append(answer(status=403, body={"errors": [{"code": 453}]}))

    with pytest.raises(ConfigError) as caught:
        take(client.lines(), 1)

    assert "403" in str(caught.value) and "--source v2" in str(caught.value)


def test_bad_credentials_401_names_the_variables(fake_x_api, answer, client):
    fake_x_api.scripts[FILTER].append(answer(status=401))

    with pytest.raises(ConfigError, match="LEADSTREAM_TWITTER_APP_KEY"):
        take(client.lines(), 1)


@pytest.mark.timeout(30)
def test_collect_from_v1_counts_control_messages(
    fake_x_api, answer, collector_settings, fixture_lines
):
    fake_x_api.scripts[FILTER].append(answer(lines=fixture_lines("v1_stream_lines.jsonl")))

    stats = collect(collector_settings, source="v1.1", api_url=fake_x_api.url, limit=10, env=ENV)

    assert (stats["spooled"], stats["control_messages"]) == (3, 7)
    assert stats["by_source"] == {"v1.1": 3}
    assert stats["control_by_kind"]["disconnect"] == 1


def test_collect_from_v1_without_credentials_fails_before_connecting(collector_settings):
    with pytest.raises(ConfigError, match="LEADSTREAM_TWITTER_APP_KEY"):
        collect(collector_settings, source="v1.1", env={})
