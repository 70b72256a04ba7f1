"""Normalising raw v2 and v1.1 stream lines: tweets, control messages and rejections."""

from __future__ import annotations

import json

import pytest

from collector.normalize import ControlMessage, MalformedTweet, normalize_line
from leadstream.tweet import Tweet


def test_v2_tweet_with_author_place_and_rule_tags(fixture_lines):
    tweet = normalize_line(fixture_lines("v2_stream_lines.jsonl")[0], source="v2")

    assert tweet == Tweet(
        tweet_id="1861000000000000001",
        text="Looking for a roofing contractor in Leeds who can quote for a warehouse re-roof "
        "before winter, any recommendations?",
        created_at="2026-11-29T10:15:00Z",
        lang="en",
        author_id="3001",
        author_username="harbourstorage",
        author_name="Harbour Storage Ltd",
        author_followers=1520,
        place_name="Leeds, England",
        place_country="United Kingdom",
        matching_rules=["construction"],
        source="v2",
    )


def test_v2_long_post_takes_note_tweet_text_and_dedupes_tags(fixture_lines):
    tweet = normalize_line(fixture_lines("v2_stream_lines.jsonl")[1])

    assert tweet.text.endswith("Budget is there, patience is not.")
    assert tweet.matching_rules == ["software"]
    assert tweet.source == "replay"


def test_v2_author_missing_from_includes_and_untagged_rule(fixture_lines):
    tweet = normalize_line(fixture_lines("v2_stream_lines.jsonl")[2])

    assert (tweet.author_id, tweet.author_username, tweet.author_followers) == ("3003", None, None)
    assert tweet.matching_rules == ["logistics"]
    assert tweet.lang == "de"


def test_v2_place_id_without_place_leaves_place_empty(fixture_lines):
    tweet = normalize_line(fixture_lines("v2_stream_lines.jsonl")[4])

    assert (tweet.place_name, tweet.place_country) == (None, None)
    assert tweet.author_followers == 410


def test_v2_errors_object_is_a_control_message(fixture_lines):
    message = normalize_line(fixture_lines("v2_stream_lines.jsonl")[3])

    assert isinstance(message, ControlMessage)
    assert message.kind == "operational-disconnect"


def test_v1_extended_tweet_with_place_and_time(fixture_lines):
    tweet = normalize_line(fixture_lines("v1_stream_lines.jsonl")[0], source="v1.1")

    assert tweet.tweet_id == "1050118621198921728"
    assert tweet.text.endswith("before the busy season starts.")
    assert tweet.created_at == "2018-10-10T20:19:24Z"
    assert (tweet.author_username, tweet.author_name, tweet.author_followers) == (
        "varastoteam",
        "Varasto Team",
        233,
    )
    assert (tweet.place_name, tweet.place_country) == ("Tampere, Finland", "Finland")
    assert tweet.source == "v1.1"


def test_v1_retweet_carries_original_full_text_after_rt_prefix(fixture_lines):
    tweet = normalize_line(fixture_lines("v1_stream_lines.jsonl")[1])

    assert tweet.text == (
        "RT @solarcoop: We need a solar installer for the roof of our new warehouse in Espoo. "
        "Tenders welcome until Friday, details in the thread below."
    )
    assert tweet.tweet_id == "1050295000000000001"  # the retweet, by the retweeter
    assert tweet.author_username == "retweeter"


def test_v1_full_text_without_extended_tweet(fixture_lines):
    tweet = normalize_line(fixture_lines("v1_stream_lines.jsonl")[2])

    assert tweet.text == "Short one: who services CNC machines in Stuttgart?"
    assert tweet.place_name is None


def test_v1_control_messages_are_recognised_by_kind(fixture_lines):
    kinds = [normalize_line(line).kind for line in fixture_lines("v1_stream_lines.jsonl")[3:]]

    assert kinds == [
        "delete",
        "scrub_geo",
        "limit",
        "status_withheld",
        "user_withheld",
        "disconnect",
        "warning",
    ]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"data": {"author_id": "1021159080151404544"', "not valid JSON"),
        (b"this is not json", "not valid JSON"),
        (b"[1, 2, 3]", "expected a JSON object"),
        (b'{"data": {"text": "no id here", "created_at": "2026-11-29T10:15:00Z"}}', "missing id"),
        (b'{"data": {"id": "12", "created_at": "2026-11-29T10:15:00Z"}}', "missing text"),
        (b'{"data": {"id": ["12"], "text": "x"}}', "tweet id must be a string or integer"),
        (b'{"data": {"id": "12", "text": 42}}', "'text' must be a string"),
        (b'{"data": "a string"}', "'data' is not an object"),
        (b'{"data": {"id": "12", "text": "x", "created_at": "yesterday"}}', "not an ISO 8601"),
        (b'{"id_str": "12", "text": "x", "created_at": "2018-10-10"}', "not a v1.1 time"),
        (b'{"id_str": "abc", "text": "x"}', "must be digits"),
        (b'{"user": {"screen_name": "someone"}}', "missing id"),
    ],
)
def test_malformed_lines_are_rejected_with_a_one_line_reason(line, reason):
    with pytest.raises(MalformedTweet) as caught:
        normalize_line(line)

    assert reason in caught.value.reason
    assert "\n" not in caught.value.reason


def test_str_and_bytes_lines_give_the_same_tweet(fixture_lines):
    raw = fixture_lines("v2_stream_lines.jsonl")[0]

    assert normalize_line(raw.decode()) == normalize_line(raw)


def test_spool_line_round_trips_through_json(fixture_lines):
    tweet = normalize_line(fixture_lines("v2_stream_lines.jsonl")[1], source="v2")

    assert Tweet(**json.loads(tweet.to_json_line())) == tweet


# Real payloads from ../shared/data (skipped when that folder is absent).


def test_real_v2_stream_output(shared_payloads):
    lines = (shared_payloads / "v2_filtered_stream_output.jsonl").read_bytes().splitlines()
    results = [normalize_line(line, "v2") for line in lines if line.strip()]

    tweets = [r for r in results if isinstance(r, Tweet)]
    controls = [r for r in results if isinstance(r, ControlMessage)]
    assert (len(tweets), [c.kind for c in controls]) == (8, ["operational-disconnect"])
    first = tweets[0]
    assert (first.tweet_id, first.author_username, first.author_followers) == (
        "1377650090978992134",
        "blackheart_265",
        881,
    )
    assert (first.place_name, first.place_country, first.created_at) == (
        "Malawi",
        "Malawi",
        "2021-04-01T15:52:31Z",
    )
    assert all(t.matching_rules == [] for t in tweets)  # the captured rule had no tag


def test_real_v2_file_with_truncated_line(shared_payloads):
    path = shared_payloads / "v2_filtered_stream_7_tweets_plus_truncated_line.jsonl"
    tweets, rejected = [], []
    for line in path.read_bytes().splitlines():
        try:
            tweets.append(normalize_line(line, "v2"))
        except MalformedTweet as error:
            rejected.append(error.reason)

    assert len(tweets) == 7
    assert len(rejected) == 1 and rejected[0].startswith("not valid JSON")


def test_real_v1_stream_uses_extended_full_text(shared_payloads):
    lines = (shared_payloads / "v1_1_filter_stream_72_tweets.jsonl").read_bytes().splitlines()
    statuses = [json.loads(line) for line in lines if line.strip()]
    tweets = [normalize_line(line, "v1.1") for line in lines if line.strip()]

    assert len(tweets) == 72
    assert [t.text for t in tweets] == [s["extended_tweet"]["full_text"] for s in statuses]
    assert sum(t.place_name is not None for t in tweets) == 4
    assert all(t.created_at.endswith("Z") and len(t.created_at) == 20 for t in tweets)


def test_real_v1_retweet_and_job_ad(shared_payloads):
    retweet = normalize_line(
        (shared_payloads / "v1_1_filter_retweet_extended_ANONYMIZED.json").read_bytes()
    )
    job_ad = normalize_line(
        (shared_payloads / "v1_1_filter_tweet_extended_place_jobad.json").read_bytes()
    )

    assert retweet.text.startswith("RT @user screen name: So Johnson voted twice")
    assert retweet.text.endswith("#brexit #BrexitDeal #peoplesvote")
    assert retweet.created_at == "2019-10-21T10:13:02Z"
    assert job_ad.text.startswith("We're #hiring!")
    assert (job_ad.place_name, job_ad.place_country) == ("North Haven, CT", "United States")


def test_real_v1_control_messages(shared_payloads):
    lines = (shared_payloads / "v1_1_stream_control_messages.jsonl").read_bytes().splitlines()
    kinds = [normalize_line(line).kind for line in lines if line.strip()]

    assert sorted(set(kinds)) == sorted(
        [
            "delete",
            "scrub_geo",
            "limit",
            "status_withheld",
            "user_withheld",
            "disconnect",
            "warning",
        ]
    )
    assert len(kinds) == 9
