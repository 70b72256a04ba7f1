"""The durable spool: rolling, crash recovery, quarantine, locking and the stats file."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from collector.spool import Spool, read_collector_stats
from leadstream.errors import ConfigError
from leadstream.tweet import Tweet

REPO = Path(__file__).resolve().parents[2]


def make_tweet(number: int, source: str = "replay") -> Tweet:
    return Tweet(
        tweet_id=str(number),
        text=f"looking for a forklift supplier #{number}",
        created_at="2026-11-29T10:15:00Z",
        source=source,
    )


def spooled_ids(spool_dir: Path) -> list[str]:
    """Tweet ids in tweets/, file by file in name order (the order Spark would list them)."""
    ids = []
    for path in sorted((spool_dir / "tweets").iterdir()):
        assert path.suffix == ".jsonl", f"unexpected file in tweets/: {path.name}"
        ids += [json.loads(line)["tweet_id"] for line in path.read_bytes().splitlines()]
    return ids


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rolls_every_roll_tweets_into_complete_time_ordered_files(tmp_path):
    with Spool(tmp_path, roll_seconds=3600, roll_tweets=3) as spool:
        rolled = [spool.append(make_tweet(n)) for n in range(1, 8)]
        assert rolled == [False, False, True, False, False, True, False]
        assert len(list((tmp_path / "incoming").glob("*.jsonl.part"))) == 1
        assert spooled_ids(tmp_path) == [str(n) for n in range(1, 7)]

    assert spooled_ids(tmp_path) == [str(n) for n in range(1, 8)]
    assert list((tmp_path / "incoming").iterdir()) == []
    sizes = [len(p.read_bytes().splitlines()) for p in sorted((tmp_path / "tweets").iterdir())]
    assert sizes == [3, 3, 1]


def test_rolls_an_old_part_when_the_loop_is_idle(tmp_path):
    clock = FakeClock()
    with Spool(tmp_path, roll_seconds=5, roll_tweets=1000, clock=clock) as spool:
        spool.append(make_tweet(1))
        clock.now += 4.9
        assert spool.flush_if_due() is False
        clock.now += 0.2
        assert spool.flush_if_due() is True
        assert spooled_ids(tmp_path) == ["1"]
        assert spool.flush_if_due() is False  # nothing open, nothing to roll


def test_spooled_lines_are_the_tweets_json(tmp_path):
    with Spool(tmp_path, roll_seconds=3600, roll_tweets=10) as spool:
        spool.append(make_tweet(1, source="v2"))

    (path,) = (tmp_path / "tweets").iterdir()
    assert Tweet(**json.loads(path.read_bytes())) == make_tweet(1, source="v2")


APPENDER = """
import sys
from pathlib import Path
from collector.spool import Spool
from leadstream.tweet import Tweet
spool = Spool(Path(sys.argv[1]), roll_seconds=3600, roll_tweets=40)
number = 0
while True:
    number += 1
    spool.append(Tweet(tweet_id=str(number), text="t", created_at="2026-11-29T10:15:00Z"))
    print(number, flush=True)
"""


@pytest.mark.timeout(60)
def test_killed_collector_loses_no_appended_tweet_and_leaks_no_half_line(tmp_path):
    appender = subprocess.Popen(
        [sys.executable, "-c", APPENDER, str(tmp_path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
    )
    confirmed = 0
    while confirmed < 150:
        confirmed = int(appender.stdout.readline())
    appender.kill()  # SIGKILL: no close(), no roll, no atexit
    appender.wait()
    appender.stdout.close()
    (part,) = (tmp_path / "incoming").glob("*.part")
    with open(part, "ab") as torn:  # what a power cut mid-write would leave
        torn.write(b'{"tweet_id": "999999", "text": "half a li')

    with Spool(tmp_path, roll_seconds=3600, roll_tweets=40) as spool:
        assert spool.recovered_lines > 0

    ids = [int(i) for i in spooled_ids(tmp_path)]
    assert max(Counter(ids).values()) == 1
    assert set(range(1, confirmed + 1)) <= set(ids)
    assert ids == list(range(1, len(ids) + 1))
    assert list((tmp_path / "incoming").iterdir()) == []
    (quarantined,) = (tmp_path / "quarantine").iterdir()
    record = json.loads(quarantined.read_bytes())
    assert record["raw"] == '{"tweet_id": "999999", "text": "half a li'

    Spool(tmp_path, roll_seconds=3600, roll_tweets=40).close()  # reopening changes nothing
    assert [int(i) for i in spooled_ids(tmp_path)] == ids


def test_recovery_keeps_whole_lines_and_quarantines_damaged_ones(tmp_path):
    incoming = tmp_path / "incoming"
    incoming.mkdir(parents=True)
    good = [make_tweet(n).to_json_line() for n in (1, 2)]
    (incoming / "20261129T101500000000Z-000001.jsonl.part").write_bytes(
        good[0] + b"\x00\x00\x00\x00\n" + good[1] + b'{"tweet_id": "3"'
    )
    (incoming / "20261129T101501000000Z-000001.jsonl.part").write_bytes(b'{"tweet_id": "4", "te')

    with Spool(tmp_path, roll_seconds=3600, roll_tweets=10) as spool:
        assert spool.recovered_lines == 2
        assert spool.run.quarantined == 3

    assert spooled_ids(tmp_path) == ["1", "2"]
    assert [p.name for p in (tmp_path / "tweets").iterdir()] == [
        "20261129T101500000000Z-000001.jsonl"
    ]


def test_a_second_collector_on_the_same_spool_is_refused(tmp_path):
    with Spool(tmp_path, roll_seconds=1, roll_tweets=10), pytest.raises(ConfigError) as caught:
        Spool(tmp_path, roll_seconds=1, roll_tweets=10)

    assert "another collector" in str(caught.value)
    Spool(tmp_path, roll_seconds=1, roll_tweets=10).close()  # free again once closed


def test_quarantine_keeps_reason_raw_line_and_time(tmp_path):
    with Spool(tmp_path, roll_seconds=1, roll_tweets=10) as spool:
        spool.quarantine(b'{"data": {"id": "1"', "not valid JSON (truncated line?)")

    (path,) = (tmp_path / "quarantine").iterdir()
    record = json.loads(path.read_bytes())
    assert path.name == record["quarantined_at"][:10] + ".jsonl"
    assert record["reason"] == "not valid JSON (truncated line?)"
    assert record["raw"] == '{"data": {"id": "1"'


def test_stats_file_counts_this_run_and_all_runs(tmp_path):
    assert read_collector_stats(tmp_path)["received"] == 0
    assert read_collector_stats(tmp_path)["updated_at"] is None

    for _run in range(2):
        with Spool(tmp_path, roll_seconds=1, roll_tweets=10) as spool:
            for number in (1, 2):
                spool.count_received()
                spool.append(make_tweet(number, source="v2"))
            spool.count_received()
            spool.count_control("delete")
            spool.count_received()
            spool.quarantine(b"junk", "not valid JSON")

    stats = read_collector_stats(tmp_path)
    assert {k: stats[k] for k in ("received", "spooled", "quarantined", "control_messages")} == {
        "received": 8,
        "spooled": 4,
        "quarantined": 2,
        "control_messages": 2,
    }
    assert stats["by_source"] == {"v2": 4}
    assert stats["last_tweet_at"] and stats["updated_at"]
    assert stats["run"]["received"] == 4 and stats["run"]["files_rolled"] == 1
    assert not list(tmp_path.glob(".collector_stats*"))  # no temp file left behind
