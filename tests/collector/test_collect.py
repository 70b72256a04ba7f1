"""The collector loop end to end on replayed streams, and the `leadstream collect` command."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from collector.run import collect
from collector.spool import read_collector_stats
from leadstream.cli import cli
from leadstream.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def spooled(settings) -> list[dict]:
    tweets = []
    for path in sorted((settings.spool_dir / "tweets").glob("*.jsonl")):
        tweets += [json.loads(line) for line in path.read_bytes().splitlines()]
    return tweets


def replaying(settings, path: Path, rate: float = 0):
    # load_settings rejects a rate of 0; the collector itself reads 0 as "as fast as possible".
    return dataclasses.replace(settings, replay_file=path, replay_rate=rate)


def test_real_truncated_recording_gives_seven_tweets_and_one_quarantined(
    collector_settings, shared_payloads
):
    path = shared_payloads / "v2_filtered_stream_7_tweets_plus_truncated_line.jsonl"

    stats = collect(replaying(collector_settings, path))

    assert (stats["received"], stats["spooled"], stats["quarantined"]) == (8, 7, 1)
    assert len(spooled(collector_settings)) == 7
    (quarantine,) = (collector_settings.spool_dir / "quarantine").iterdir()
    assert json.loads(quarantine.read_bytes())["reason"].startswith("not valid JSON")
    assert stats["stopped_by"] == "end"


def test_mixed_recording_is_spooled_counted_and_quarantined(
    collector_settings, fixture_lines, tmp_path
):
    lines = fixture_lines("v2_stream_lines.jsonl") + fixture_lines("v1_stream_lines.jsonl")
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join([*lines, b"", b"not json at all"]) + b"\n")

    stats = collect(replaying(collector_settings, path))

    assert stats["received"] == 16
    assert (stats["spooled"], stats["control_messages"], stats["quarantined"]) == (7, 8, 1)
    assert stats["control_by_kind"]["operational-disconnect"] == 1
    assert stats["by_source"] == {"replay": 7}
    assert [t["tweet_id"][-1] for t in spooled(collector_settings)] == list("1234812")
    assert read_collector_stats(collector_settings.spool_dir)["spooled"] == 7
    assert list((collector_settings.spool_dir / "incoming").iterdir()) == []


def test_second_run_resumes_without_duplicates(collector_settings, v2_line, tmp_path):
    path = tmp_path / "stream.jsonl"
    path.write_bytes(b"".join(v2_line(n) + b"\n" for n in range(1, 13)))
    settings = replaying(collector_settings, path)

    first = collect(settings, limit=5)
    second = collect(settings)
    third = collect(settings)

    assert (first["stopped_by"], first["spooled"]) == ("limit", 5)
    assert (second["stopped_by"], second["spooled"]) == ("end", 7)
    assert third["spooled"] == 0
    ids = [t["tweet_id"] for t in spooled(settings)]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 12


CRASHING_COLLECTOR = """
import sys
from collector.run import collect
from leadstream.settings import load_settings
settings = load_settings({"data_dir": sys.argv[1], "replay_file": sys.argv[2],
    "replay_rate": 400, "spool_roll_tweets": 10, "spool_roll_seconds": 3600}, env={})
collect(settings)
"""


@pytest.mark.timeout(60)
def test_crash_replays_at_most_the_unrolled_tail(collector_settings, v2_line, tmp_path):
    path = tmp_path / "stream.jsonl"
    path.write_bytes(b"".join(v2_line(n) + b"\n" for n in range(1, 401)))
    data_dir = collector_settings.data_dir
    cursor = collector_settings.spool_dir / "replay_cursor.json"
    collector = subprocess.Popen(
        [sys.executable, "-c", CRASHING_COLLECTOR, str(data_dir), str(path)], cwd=REPO
    )
    try:
        while not cursor.exists() or json.loads(cursor.read_bytes())["lines_delivered"] < 30:
            assert collector.poll() is None, "the collector ended before it could be killed"
            time.sleep(0.01)
    finally:
        collector.kill()  # SIGKILL, mid-stream
        collector.wait()

    settings = dataclasses.replace(collector_settings, spool_roll_tweets=10)
    collect(replaying(settings, path))

    counts = Counter(t["tweet_id"] for t in spooled(settings))
    assert len(counts) == 400  # nothing lost
    # Only the un-rolled tail (at most one part of roll_tweets lines) came twice.
    assert sum(n - 1 for n in counts.values()) <= 10


@pytest.mark.timeout(30)
def test_stop_event_ends_a_slow_replay_and_rolls_what_is_open(
    collector_settings, v2_line, tmp_path
):
    path = tmp_path / "stream.jsonl"
    path.write_bytes(b"".join(v2_line(n) + b"\n" for n in range(1, 1001)))
    settings = dataclasses.replace(
        replaying(collector_settings, path, rate=20), spool_roll_seconds=3600
    )
    stop = threading.Event()
    result = {}
    worker = threading.Thread(target=lambda: result.update(collect(settings, stop=stop)))
    worker.start()
    while read_collector_stats(settings.spool_dir)["spooled"] < 2:
        time.sleep(0.02)
    stop.set()
    worker.join(timeout=10)

    assert not worker.is_alive()
    assert result["stopped_by"] == "stop"
    assert 2 <= result["spooled"] < 1000
    assert len(spooled(settings)) == result["spooled"]  # the open part was rolled
    assert list((settings.spool_dir / "incoming").iterdir()) == []


def test_unknown_source_is_a_config_error(collector_settings):
    with pytest.raises(ConfigError, match="--source"):
        collect(collector_settings, source="firehose")


def test_cli_collect_replay(tmp_path, fixture_lines, monkeypatch):
    for name in ("LEADSTREAM_DATA_DIR", "LEADSTREAM_DATABASE_URL", "LEADSTREAM_REPLAY_RATE"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "small.jsonl"
    path.write_bytes(b"\n".join(fixture_lines("v2_stream_lines.jsonl")) + b"\n")
    data_dir = tmp_path / "data"

    result = CliRunner().invoke(
        cli,
        ["--data-dir", str(data_dir), "collect", "--source", "replay"]
        + ["--replay-file", str(path), "--rate", "1000"],
    )

    assert result.exit_code == 0, result.output
    stats = json.loads(result.output.strip().splitlines()[-1])
    assert (stats["spooled"], stats["control_messages"], stats["stopped_by"]) == (4, 1, "end")
    assert len(list((data_dir / "spool" / "tweets").glob("*.jsonl"))) >= 1


def test_cli_reports_a_missing_token_in_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv("LEADSTREAM_BEARER_TOKEN", raising=False)

    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "collect", "--source", "v2"])

    assert result.exit_code == 1
    assert "LEADSTREAM_BEARER_TOKEN is not set" in result.output
    assert "Traceback" not in result.output
