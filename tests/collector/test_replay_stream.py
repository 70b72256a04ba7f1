"""Replaying a recorded stream: formats, pacing and the resume cursor."""

from __future__ import annotations

import gzip
import json

import pytest

from collector.replay_stream import CURSOR_FILE, ReplayStream
from leadstream.errors import ConfigError


@pytest.fixture
def recording(tmp_path, v2_line):
    """A plain recording of ten v2 lines with one blank line in the middle."""
    lines = [v2_line(n) for n in range(1, 11)]
    path = tmp_path / "stream.jsonl"
    path.write_bytes(b"\n".join(lines[:5] + [b""] + lines[5:]) + b"\n")
    return path, lines


def test_plain_and_gzipped_recordings_give_the_same_lines(tmp_path, recording):
    path, lines = recording
    gzipped = tmp_path / "stream.jsonl.gz"
    gzipped.write_bytes(gzip.compress(path.read_bytes()))

    plain = list(ReplayStream(path, tmp_path / "spool-a", rate=0).lines())
    unzipped = list(ReplayStream(gzipped, tmp_path / "spool-b", rate=0).lines())

    assert plain == unzipped == lines[:5] + [b""] + lines[5:]


def fake_time():
    """A clock and a sleep that advances it, recording each requested delay."""
    now, slept = [0.0], []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        now[0] += seconds

    return (lambda: now[0]), sleep, slept


def test_rate_paces_tweets_not_keep_alives(tmp_path, recording):
    path, lines = recording
    clock, sleep, slept = fake_time()

    replay = ReplayStream(path, tmp_path, rate=4, sleep=sleep, clock=clock)
    delivered = list(replay.lines())

    assert [line for line in delivered if line is not None] == lines[:5] + [b""] + lines[5:]
    assert slept == [0.25] * 9  # ten tweets at 4 per second: nine quarter-second gaps
    assert delivered.count(None) == 9  # the loop gets a chance to roll the spool in each gap


def test_slow_rate_waits_in_ticks(tmp_path, v2_line):
    path = tmp_path / "two.jsonl"
    path.write_bytes(v2_line(1) + b"\n" + v2_line(2) + b"\n")
    clock, sleep, slept = fake_time()

    replay = ReplayStream(path, tmp_path, rate=0.5, sleep=sleep, clock=clock, idle_tick=0.5)
    delivered = list(replay.lines())

    assert slept == [0.5] * 4  # one two-second gap, slept in half-second ticks
    assert delivered == [v2_line(1), None, None, None, None, v2_line(2)]


def test_cursor_resumes_after_committed_lines_only(tmp_path, recording):
    path, lines = recording
    first = ReplayStream(path, tmp_path, rate=0)
    taken = first.lines()
    for _ in range(7):
        next(taken)
    first.commit(4)  # only four lines reached the spool before the "crash"

    second = ReplayStream(path, tmp_path, rate=0)

    assert second.start == 4
    assert list(second.lines()) == lines[4:5] + [b""] + lines[5:]
    cursor = json.loads((tmp_path / CURSOR_FILE).read_bytes())
    assert cursor["lines_delivered"] == 4 and cursor["file"] == str(path.resolve())


def test_cursor_of_a_different_recording_is_ignored(tmp_path, recording, v2_line):
    path, _ = recording
    ReplayStream(path, tmp_path, rate=0).commit(6)
    path.write_bytes(v2_line(99) + b"\n")

    assert list(ReplayStream(path, tmp_path, rate=0).lines()) == [v2_line(99)]


def test_missing_recording_names_the_setting(tmp_path):
    with pytest.raises(ConfigError, match="LEADSTREAM_REPLAY_FILE"):
        ReplayStream(tmp_path / "nope.jsonl", tmp_path, rate=0)
