"""The `leadstream` command: one click group; each command hands its work to its stage."""

from __future__ import annotations

import getpass
import logging
import os
from pathlib import Path

import click
import orjson

from leadstream.errors import LeadstreamError
from leadstream.settings import Settings, load_settings


def _settings(ctx: click.Context, **overrides) -> Settings:
    """Settings from defaults, environment, the group's options and this command's options."""
    return load_settings({**ctx.obj, **overrides})


class _LeadstreamGroup(click.Group):
    """A group that reports user-fixable errors as one line and exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except LeadstreamError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_LeadstreamGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    help="Folder for the database, "
    "spool, checkpoints and model store [env LEADSTREAM_DATA_DIR; default ./var].",
)
@click.option(
    "--database-url",
    help="sqlite:///FILE or mysql+pymysql://USER@HOST/DB [env LEADSTREAM_DATABASE_URL].",
)
@click.option(
    "--campaigns",
    "campaigns_file",
    type=click.Path(path_type=Path),
    help="Campaigns TOML file [env LEADSTREAM_CAMPAIGNS_FILE].",
)
@click.option(
    "--mlflow-uri",
    "mlflow_tracking_uri",
    help="MLflow tracking and registry URI [env LEADSTREAM_MLFLOW_TRACKING_URI].",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, **options) -> None:
    """Leadstream: find B2B buying signals in the Twitter/X stream."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = options


@cli.command("init-db")
@click.pass_context
def init_db_command(ctx: click.Context) -> None:
    """Create the database tables (safe to run again)."""
    from leadstream.storage.engine import init_db, make_engine, safe_url

    settings = _settings(ctx)
    engine = make_engine(settings.database_url)
    init_db(engine)
    click.echo(f"database ready: {safe_url(engine)}")


@cli.command("create-user")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["viewer", "sales", "admin"]),
    default="sales",
    show_default=True,
    help="viewer reads; sales also labels leads; admin does all.",
)
@click.password_option(
    envvar="LEADSTREAM_NEW_USER_PASSWORD",
    help="Password [env LEADSTREAM_NEW_USER_PASSWORD, else prompted].",
)
@click.pass_context
def create_user_command(ctx: click.Context, username: str, role: str, password: str) -> None:
    """Create a dashboard user, or reset their password and role."""
    from leadstream.storage.engine import init_db, make_engine
    from leadstream.storage.users import save_user

    engine = make_engine(_settings(ctx).database_url)
    init_db(engine)
    save_user(engine, username, password, role)
    click.echo(f"user {username!r} saved with role {role}")


@cli.command()
@click.option(
    "--source",
    type=click.Choice(["replay", "v2", "v1.1"]),
    default="replay",
    show_default=True,
    help="Recorded stream, X API v2 filtered stream, or v1.1 statuses/filter through Twython.",
)
@click.option(
    "--replay-file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Recorded stream (.jsonl or .jsonl.gz) [env LEADSTREAM_REPLAY_FILE].",
)
@click.option(
    "--rate",
    "replay_rate",
    type=float,
    help="Replayed tweets per second (0: as fast as possible) [env LEADSTREAM_REPLAY_RATE].",
)
@click.option("--api-url", default=None, help="Base URL of the Twitter API (for testing).")
@click.pass_context
def collect(ctx: click.Context, source: str, api_url: str | None, **options) -> None:
    """Read the stream and append normalised tweets to the spool (Ctrl-C stops)."""
    from collector.run import collect as run_collector

    stats = run_collector(_settings(ctx, **options), source=source, api_url=api_url)
    click.echo(orjson.dumps(stats).decode())


@cli.command()
@click.option("--until-idle", is_flag=True, help="Stop once the spool has been scored.")
@click.option(
    "--spark-master", help="local[*] or spark://HOST:7077 [env LEADSTREAM_SPARK_MASTER]."
)
@click.pass_context
def score(ctx: click.Context, until_idle: bool, **options) -> None:
    """Run the Spark scoring query: spool -> keyword prefilter -> classifier -> leads."""
    from scoring.job import run_scoring

    run_scoring(_settings(ctx, **options), until_idle=until_idle)


@cli.command()
@click.option(
    "--engine",
    "engine_kind",
    type=click.Choice(["sklearn", "spark"]),
    default="sklearn",
    show_default=True,
    help="Fit with scikit-learn or Spark MLlib.",
)
@click.option(
    "--seed-dir",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="Folder of seed label files (default: the bundled seed labels).",
)
@click.option(
    "--promote/--no-promote",
    default=False,
    help="Make the new version champion when there is none yet.",
)
@click.option(
    "--candidate",
    "candidate_names",
    multiple=True,
    help="Limit model selection to these candidates (repeatable; default: all of "
    "logreg_c2, logreg_c8, logreg_c32, svm_sigmoid).",
)
@click.pass_context
def train(
    ctx: click.Context,
    engine_kind: str,
    seed_dir: Path | None,
    promote: bool,
    candidate_names: tuple[str, ...],
) -> None:
    """Fit the buying-signal classifier on seed and feedback labels and register it."""
    from training.fit import CANDIDATES
    from training.train import train_and_register

    if unknown := [n for n in candidate_names if n not in CANDIDATES]:
        raise click.BadParameter(f"unknown candidate {unknown[0]!r}", param_hint="--candidate")
    candidates = {n: CANDIDATES[n] for n in candidate_names} or None
    result = train_and_register(
        _settings(ctx),
        engine_kind=engine_kind,
        seed_dir=seed_dir,
        promote_if_first=promote,
        candidates=candidates,
    )
    click.echo(orjson.dumps(result).decode())


@cli.command()
@click.option(
    "--labels",
    "labels_path",
    required=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help='JSON Lines: {"text": ..., "label": 0 or 1} per line.',
)
@click.option("--model", "model_uri", help="Model URI (default: models:/NAME@champion).")
@click.pass_context
def evaluate(ctx: click.Context, labels_path: Path, model_uri: str | None) -> None:
    """Score labelled texts with a model and print n, precision, recall, f1, pr_auc, threshold."""
    from training.evaluate import evaluate_file

    click.echo(orjson.dumps(evaluate_file(_settings(ctx), labels_path, model_uri)).decode())


def _actor() -> str:
    """Who is acting, for the promotion history."""
    return os.environ.get("LEADSTREAM_ACTOR") or getpass.getuser()


@cli.command()
@click.argument("version")
@click.option(
    "--tolerance",
    type=float,
    default=0.01,
    show_default=True,
    help="How much worse than the champion (precision, F1, PR-AUC) is still accepted.",
)
@click.option("--force", is_flag=True, help="Promote even if the candidate is worse.")
@click.pass_context
def promote(ctx: click.Context, version: str, tolerance: float, force: bool) -> None:
    """Make VERSION the champion if it is not worse on the frozen evaluation set."""
    from training.promotion import promote as promote_version

    result = promote_version(_settings(ctx), version, _actor(), tolerance, force)
    click.echo(orjson.dumps(result).decode())


@cli.command()
@click.pass_context
def rollback(ctx: click.Context) -> None:
    """Give the champion alias back to the version that held it before."""
    from training.promotion import rollback as rollback_champion

    click.echo(orjson.dumps(rollback_champion(_settings(ctx), _actor())).decode())


@cli.command()
@click.pass_context
def models(ctx: click.Context) -> None:
    """List registered versions with aliases, engine, threshold and held-out figures."""
    from training.promotion import list_models

    rows = list_models(_settings(ctx))
    if not rows:
        click.echo("no model registered yet; run `leadstream train --promote`")
    for row in rows:
        aliases = ",".join(row["aliases"]) or "-"
        click.echo(
            f"v{row['version']:<4} {aliases:<12} {row['engine'] or '?':<8} "
            f"threshold={row['threshold']} precision={row['test_precision']} "
            f"recall={row['test_recall']} f1={row['test_f1']} pr_auc={row['test_pr_auc']} "
            f"created={row['created'][:19]}"
        )


def _one_line(text: str, width: int) -> str:
    """Text on one line, cut to `width` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@cli.command("review-queue")
@click.option(
    "--limit",
    type=click.IntRange(1, 1000),
    default=30,
    show_default=True,
    help="How many tweets to put in the queue.",
)
@click.option("--campaign", help="Only tweets of this campaign.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per line.")
@click.pass_context
def review_queue_command(
    ctx: click.Context, limit: int, campaign: str | None, as_json: bool
) -> None:
    """List the unlabelled leads and near-misses whose labels would help the model most."""
    from dataclasses import asdict

    from leadstream.review import review_queue
    from leadstream.storage.engine import init_db, make_engine

    engine = make_engine(_settings(ctx).database_url)
    init_db(engine)
    items = review_queue(engine, limit=limit, campaign=campaign)
    if as_json:
        for item in items:
            click.echo(orjson.dumps(asdict(item)).decode())
        return
    if not items:
        click.echo("nothing to review: every stored lead and near-miss is labelled, or none is")
        return
    click.echo(f"{'score':>5}  {'source':<6}  {'uncert.':>7}  {'campaigns':<24}  text")
    for item in items:
        campaigns = _one_line(",".join(item.campaigns) or "-", 24)
        click.echo(
            f"{item.score:5.2f}  {item.source:<6}  {item.uncertainty:7.2f}  {campaigns:<24}  "
            f"{_one_line(item.text, 90)}"
        )


@cli.command()
@click.option(
    "--host", "dashboard_host", help="Address to listen on [env LEADSTREAM_DASHBOARD_HOST]."
)
@click.option("--port", "dashboard_port", type=int, help="Port [env LEADSTREAM_DASHBOARD_PORT].")
@click.pass_context
def serve(ctx: click.Context, **options) -> None:
    """Serve the dashboard (live leads, charts, feedback buttons)."""
    from dashboard.server import serve_forever

    serve_forever(_settings(ctx, **options))


@cli.command()
@click.option("--rate", "replay_rate", type=float, help="Replayed tweets per second.")
@click.option(
    "--replay-file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Recorded stream to replay (default: the bundled demo stream).",
)
@click.option("--port", "dashboard_port", type=int, help="Dashboard port.")
@click.pass_context
def run(ctx: click.Context, **options) -> None:
    """The main job: replay -> spool -> Spark scorer -> database, with the dashboard live."""
    from leadstream.main_job import run_main_job

    run_main_job(_settings(ctx, **options))


def main() -> None:
    """Console entry point."""
    cli(prog_name="leadstream")
