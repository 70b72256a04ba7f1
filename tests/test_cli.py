"""Every `leadstream` command through its real entry point, on real files and stores."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from small_stream import STREAM, write_stream

from leadstream.cli import cli


def invoke(*args: str, env: dict | None = None):
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result


def store_env(champion_settings) -> dict:
    """Environment that points a command at the session's trained MLflow store."""
    return {
        "LEADSTREAM_MLFLOW_TRACKING_URI": champion_settings.mlflow_tracking_uri,
        "LEADSTREAM_MLFLOW_ARTIFACT_ROOT": champion_settings.mlflow_artifact_root,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_init_db_creates_tables(tmp_path):
    result = invoke("--data-dir", str(tmp_path), "init-db")
    assert result.exit_code == 0 and "database ready: sqlite:///" in result.output
    tables = {
        r[0]
        for r in sqlite3.connect(tmp_path / "leadstream.db").execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
    }
    assert {"leads", "feedback", "users", "batch_stats", "alias_history"} <= tables


def test_create_user_takes_password_from_environment_and_checks_it(tmp_path):
    ok = invoke(
        "--data-dir",
        str(tmp_path),
        "create-user",
        "anna",
        "--role",
        "viewer",
        env={"LEADSTREAM_NEW_USER_PASSWORD": "correct horse battery"},
    )
    assert ok.exit_code == 0 and "'anna' saved with role viewer" in ok.output
    assert "correct horse" not in ok.output
    short = invoke(
        "--data-dir",
        str(tmp_path),
        "create-user",
        "ben",
        env={"LEADSTREAM_NEW_USER_PASSWORD": "short"},
    )
    assert short.exit_code == 1
    assert short.output.strip() == "Error: password: must be at least 8 characters"


def test_bad_configuration_is_one_line_naming_the_key(tmp_path):
    result = invoke(
        "--data-dir",
        str(tmp_path),
        "--campaigns",
        str(tmp_path / "nope.toml"),
        "score",
        "--until-idle",
    )
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: LEADSTREAM_CAMPAIGNS_FILE: no such file")
    bad_port = invoke(
        "--data-dir", str(tmp_path), "serve", env={"LEADSTREAM_DASHBOARD_PORT": "http"}
    )
    assert bad_port.output.strip() == "Error: LEADSTREAM_DASHBOARD_PORT: expected int, got 'http'"


def test_collect_then_score_until_idle(tmp_path, champion_settings, spark):
    stream = write_stream(tmp_path / "stream.jsonl")
    base = ["--data-dir", str(tmp_path / "var")]
    collected = invoke(*base, "collect", "--replay-file", str(stream), "--rate", "0")
    assert collected.exit_code == 0
    assert orjson.loads(collected.stdout.splitlines()[-1])["spooled"] == len(STREAM)
    scored = invoke(*base, "score", "--until-idle", env=store_env(champion_settings))
    assert scored.exit_code == 0
    leads = (
        sqlite3.connect(tmp_path / "var" / "leadstream.db")
        .execute("SELECT tweet_id FROM leads")
        .fetchall()
    )
    assert {r[0] for r in leads} == {t[0] for t in STREAM if t[3]}


def test_evaluate_prints_the_stable_interface(tmp_path, champion_settings):
    labels = tmp_path / "labels.jsonl"
    labels.write_bytes(
        b"\n".join(
            orjson.dumps(
                {"text": text, "label": int(lead), "lang": lang, "id": tweet_id, "extra": [1]}
            )
            for tweet_id, lang, text, lead in STREAM
        )
        + b"\n"
    )
    result = invoke(
        "--data-dir",
        str(tmp_path),
        "evaluate",
        "--labels",
        str(labels),
        env=store_env(champion_settings),
    )
    assert result.exit_code == 0
    figures = orjson.loads(result.stdout.splitlines()[-1])
    assert {"n", "precision", "recall", "f1", "pr_auc", "threshold"} <= set(figures)
    assert figures["n"] == len(STREAM) and figures["f1"] == 1.0
    named = invoke(
        "--data-dir",
        str(tmp_path),
        "evaluate",
        "--labels",
        str(labels),
        "--model",
        f"models:/{champion_settings.model_name}/1",
        env=store_env(champion_settings),
    )
    assert orjson.loads(named.stdout.splitlines()[-1]) == figures
    missing = invoke(
        "--data-dir",
        str(tmp_path),
        "evaluate",
        "--labels",
        str(labels),
        "--model",
        f"models:/{champion_settings.model_name}/99",
        env=store_env(champion_settings),
    )
    assert missing.exit_code == 1 and "has no version 99" in missing.output


def test_train_registers_and_models_lists_it(tmp_path):
    base = ["--data-dir", str(tmp_path)]
    trained = invoke(*base, "train", "--promote", "--candidate", "logreg_c8")
    assert trained.exit_code == 0
    result = orjson.loads(trained.stdout.splitlines()[-1])
    assert (result["version"], result["promoted"], result["candidate"]) == (
        "1",
        "champion",
        "logreg_c8",
    )
    listed = invoke(*base, "models")
    assert listed.output.startswith("v1") and "champion" in listed.output
    unknown = invoke(*base, "train", "--candidate", "forest")
    assert unknown.exit_code == 2 and "unknown candidate 'forest'" in unknown.output
    assert "already the champion" in invoke(*base, "promote", "1").output
    assert "no earlier champion" in invoke(*base, "rollback").output


def _wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if value := check():
                return value
        except (OSError, sqlite3.Error):
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from leadstream.cli import main; main()", *args]


def test_serve_answers_until_stopped(tmp_path):
    port = free_port()
    env = {**os.environ, "LEADSTREAM_SECRET_KEY": "k" * 32}
    server = subprocess.Popen(
        _command("--data-dir", str(tmp_path), "serve", "--port", str(port)),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        page = _wait_for(
            lambda: urllib.request.urlopen(
                f"http://127.0.0.1:{port}/auth/login", timeout=2
            ).read(),
            60,
            "the login page",
        )
        assert b"Sign in" in page or b"sign in" in page.lower()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def _lead_ids(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        return [r[0] for r in connection.execute("SELECT tweet_id FROM leads ORDER BY tweet_id")]


@pytest.mark.spark
def test_run_main_job_stops_on_ctrl_c_and_resumes(tmp_path, champion_settings):
    stream = write_stream(tmp_path / "stream.jsonl")
    data_dir = tmp_path / "var"
    env = {
        **os.environ,
        **store_env(champion_settings),
        "LEADSTREAM_SPARK_MASTER": "local[2]",
        "LEADSTREAM_TRIGGER_SECONDS": "1",
    }
    expected = sorted(t[0] for t in STREAM if t[3])

    started: list[subprocess.Popen] = []

    def run_until_leads() -> subprocess.Popen:
        port = free_port()
        log = (tmp_path / f"run-{port}.log").open("wb")  # a file: a full pipe would block it
        job = subprocess.Popen(
            _command(
                "--data-dir",
                str(data_dir),
                "run",
                "--replay-file",
                str(stream),
                "--rate",
                "0",
                "--port",
                str(port),
            ),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        job.log_path = Path(log.name)
        started.append(job)
        _wait_for(
            lambda: (
                urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/login", timeout=2).status
                == 200
            ),
            120,
            "the dashboard",
        )
        _wait_for(lambda: _lead_ids(data_dir / "leadstream.db") == expected, 240, "the leads")
        return job

    try:
        first = run_until_leads()
        first.send_signal(signal.SIGINT)
        first.wait(timeout=90)
        output = first.log_path.read_text(errors="replace")
        assert first.returncode == 0, output[-3000:]
        assert "Traceback" not in output
        assert (data_dir / "admin_password").stat().st_mode & 0o777 == 0o600

        second = run_until_leads()
        # Wait until the second scorer is running, then let it poll the spool a few times.
        _wait_for(
            lambda: "Callback Server Starting" in second.log_path.read_text(), 120, "the scorer"
        )
        time.sleep(4)
        second.send_signal(signal.SIGINT)
        second.wait(timeout=90)
        assert second.returncode == 0, second.log_path.read_text(errors="replace")[-3000:]
        assert _lead_ids(data_dir / "leadstream.db") == expected
    finally:
        for job in started:  # never leave a Spark job running after a failed assertion
            if job.poll() is None:
                job.kill()
                job.wait(timeout=30)
