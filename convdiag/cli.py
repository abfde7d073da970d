"""The `convdiag` command: serve, worker, diagnose, probe, submit, status, hash-key.

Each command imports what it needs when it runs: `convdiag diagnose` is used in scripts
and CI steps, where the HTTP client, the settings machinery and (above all) TensorFlow
would only add start-up time.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from convdiag import DEFAULT_URL
from convdiag.queues import QUEUES

if TYPE_CHECKING:
    from convdiag.jobs import Job
    from diagnosis import Diagnosis


# Exit statuses of `diagnose`, `probe` and `submit --wait`, documented in the README: the
# verdict's status, so a CI gate fails a run that cannot be judged (one epoch) as well.
EXIT_HEALTHY, EXIT_PROBLEMS, EXIT_UNREADABLE, EXIT_INCONCLUSIVE = 0, 1, 2, 3
# How long `serve` gives its worker to finish the task in hand after Ctrl-C.
WORKER_STOP_SECONDS = 15


def _fail(message: str) -> NoReturn:
    click.echo(f"convdiag: error: {message}", err=True)
    sys.exit(EXIT_UNREADABLE)


# What each optional part of convdiag needs, and the extra that installs it: the base install
# (`pip install convdiag`) is the client, the callback and the history engine only.
EXTRAS = {"server": ("fastapi", "uvicorn", "celery"), "probes": ("keras",), "report": ("matplotlib",)}


def _require(extra: str, command: str) -> None:
    """One line naming the extra to install, instead of a traceback from deep in an import."""
    from importlib.util import find_spec

    missing = [module for module in EXTRAS[extra] if find_spec(module) is None]
    if missing:
        _fail(f"{command} needs {', '.join(missing)}: pip install 'convdiag[{extra}]'")


def _refuse_open_api(host: str) -> None:
    """An API without keys answers anyone who can reach it: only loopback, unless told."""
    import ipaddress

    from convdiag.settings import get_settings

    settings = get_settings()
    if settings.auth_enabled:
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if loopback:
        click.echo("auth is OFF: no CONVDIAG_API_KEYS set, this server is for a single local user")
    elif settings.allow_no_auth:
        click.echo(f"auth is OFF on {host}, as CONVDIAG_ALLOW_NO_AUTH asks: anyone who reaches it may use it")
    else:
        _fail(
            f"auth is off (no CONVDIAG_API_KEYS) and --host {host} is not loopback: set CONVDIAG_API_KEYS "
            "(`convdiag hash-key KEY`), or CONVDIAG_ALLOW_NO_AUTH=true to serve an open API on purpose"
        )


def worker_command(queues: str, concurrency: int) -> list[str]:
    """How a worker is started, here and in docker-compose.yml."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "worker.app",
        "worker",
        "--queues",
        queues,
        "--concurrency",
        str(concurrency),
        "--loglevel",
        "INFO",
    ]


def _parse_meta(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, object]:
    """`KEY=VALUE` pairs; a VALUE that reads as JSON (a number, true) is taken as that."""
    import json

    metadata: dict[str, object] = {}
    for pair in values:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE")
        try:
            metadata[key] = json.loads(value)
        except ValueError:
            metadata[key] = value
    return metadata


meta_option = click.option(
    "--meta",
    "metadata",
    multiple=True,
    callback=_parse_meta,
    metavar="KEY=VALUE",
    help="Run metadata, repeatable (e.g. --meta task=regression --meta baseline_loss=0.98); "
    "what a CSV or console log cannot carry.",
)


@click.group()
def main() -> None:
    """convdiag: why is my Keras model not converging?"""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--concurrency", default=1, show_default=True, help="Processes per queue's worker.")
def serve(host: str, port: int, concurrency: int) -> None:
    """Run the API and a worker per queue (light, probes, webhooks); Ctrl-C stops them all."""
    _require("server", "convdiag serve")
    _refuse_open_api(host)
    import signal
    import subprocess  # here, not at the top: `convdiag diagnose` starts no process

    import uvicorn

    from convdiag.settings import get_settings

    settings = get_settings()
    if settings.embedded:
        from convdiag.queues import prepare_sqlite_broker

        prepare_sqlite_broker(settings)
        click.echo(f"embedded mode: no CONVDIAG_REDIS_URL, broker and job store under {settings.data_dir}")
    else:
        click.echo("using Redis from CONVDIAG_REDIS_URL")
    # A worker process per queue, as in docker-compose: a 15 ms history never waits behind a
    # minutes-long bundle probe or a slow webhook receiver. Each node has its own name.
    workers = [
        subprocess.Popen([*worker_command(queue, concurrency), "--hostname", f"{queue}@%h"])
        for queue in QUEUES
    ]
    click.echo(f"interactive API docs: http://{host}:{port}/docs")
    try:
        uvicorn.run("service.main:create_app", factory=True, host=host, port=port)
    finally:
        # SIGTERM is Celery's warm shutdown: finish the current task, then exit.
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + WORKER_STOP_SECONDS
        for worker in workers:
            try:
                worker.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.argument("uvicorn_options", nargs=-1, type=click.UNPROCESSED)
def api(host: str, port: int, uvicorn_options: tuple[str, ...]) -> None:
    """Run the API alone, as the API image does (workers run apart); other options go to
    uvicorn (--proxy-headers, --limit-concurrency N, ...). Refuses a network address with
    auth off unless CONVDIAG_ALLOW_NO_AUTH=true."""
    _require("server", "convdiag api")
    _refuse_open_api(host)
    command = [sys.executable, "-m", "uvicorn", "--factory", "service.main:create_app"]
    command += ["--host", host, "--port", str(port), *uvicorn_options]
    os.execv(command[0], command)  # noqa: S606 - become uvicorn, so signals reach it


@main.command()
@click.option("--queues", default=",".join(QUEUES), show_default=True)
@click.option("--concurrency", default=1, show_default=True)
def worker(queues: str, concurrency: int) -> None:
    """Run a Celery worker for the given queues."""
    _require("server", "convdiag worker")
    command = worker_command(queues, concurrency)
    os.execv(command[0], command)  # noqa: S606 - become the worker, so signals reach Celery


def _print_diagnosis(diagnosis: Diagnosis, as_json: bool) -> int:
    from convdiag.report.text import render_text
    from diagnosis.models import VerdictStatus

    click.echo(diagnosis.model_dump_json(indent=2) if as_json else render_text(diagnosis))
    return {
        VerdictStatus.healthy: EXIT_HEALTHY,
        VerdictStatus.problems: EXIT_PROBLEMS,
        VerdictStatus.inconclusive: EXIT_INCONCLUSIVE,
    }[diagnosis.verdict.status]


@main.command("diagnose")
@click.argument("file", type=click.Path(path_type=Path, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the Diagnosis as JSON.")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the report (curves with the findings marked) as a self-contained HTML page.",
)
@meta_option
def diagnose_command(file: Path, as_json: bool, html_path: Path | None, metadata: dict[str, object]) -> None:
    """Diagnose a training history locally, without a server: Keras History JSON, a CSVLogger
    file, the console output of model.fit, a TensorBoard event file or log directory (or a
    zip/tar.gz of one); `-` reads standard input. A log of several runs is diagnosed run by
    run; the last run decides the exit status.

    Exit status: 0 healthy, 1 problems found, 2 unreadable input, 3 inconclusive (the input
    cannot support a judgement: too few epochs, a regression with nothing to compare its loss
    with)."""
    if html_path is not None:
        _require("report", "convdiag diagnose --html")
    # One BLAS thread, set before numpy's import: the engine's arrays are small, and OpenBLAS's
    # extra threads spin for ~60 ms of CPU as numpy loads, taken from this start on a busy host.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from diagnosis import HistoryError
    from diagnosis.engine import diagnose_runs
    from diagnosis.formats import load_path, load_runs
    from diagnosis.history import with_metadata

    try:
        runs = load_runs(sys.stdin.buffer.read()) if str(file) == "-" else load_path(file)
        result = diagnose_runs(with_metadata(runs, metadata) if metadata else runs)
    except OSError as exc:
        _fail(f"cannot read {file}: {exc.strerror or exc}")
    except HistoryError as exc:
        _fail(f"{file}: {exc}")
    if html_path is not None:
        from convdiag.report.html import render_html

        page = render_html(
            result,
            runs[-1].to_json()["history"],
            title=f"convdiag report: {file.name}",
            earlier_curves=[run.to_json()["history"] for run in runs[:-1]],
        )
        try:
            html_path.write_text(page, encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write {html_path}: {exc.strerror or exc}")
    sys.exit(_print_diagnosis(result, as_json))


url_option = click.option("--url", envvar="CONVDIAG_URL", default=DEFAULT_URL, show_default=True)
key_option = click.option("--api-key", envvar="CONVDIAG_API_KEY", default=None, help="Or CONVDIAG_API_KEY.")


def _show_progress(job: Job) -> None:
    width = 20
    filled = round(job.progress * width)
    # The stage says more than the status while running ("audit", "probes"); a stage that only
    # repeats the status ("queued") is not printed twice.
    stage = job.stage if job.stage and job.stage != job.status.value else ""
    line = f"\r{job.id}  [{'#' * filled}{'.' * (width - filled)}] {job.status.value:<9} {stage}"
    click.echo(line.ljust(72), nl=False, err=True)


def _is_bundle(path: Path) -> bool:
    import zipfile

    from diagnosis.probes.loader import is_bundle

    if path.is_dir() or not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return is_bundle(archive.namelist())


@main.command()
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@url_option
@key_option
@click.option("--wait", is_flag=True, help="Wait for the diagnosis and print it.")
@click.option("--json", "as_json", is_flag=True, help="With --wait: print the Diagnosis as JSON.")
@meta_option
def submit(
    file: Path, url: str, api_key: str | None, wait: bool, as_json: bool, metadata: dict[str, object]
) -> None:
    """Send a history file, a TensorBoard log directory or a bundle (a zip of model.keras and
    data.npz, probed on the server) to a convdiag server."""
    from convdiag.client import ApiError, Client

    bundle = _is_bundle(file)
    if bundle and metadata:
        _fail("--meta is for histories; a bundle's training.json carries what the probes need")
    try:
        with Client(url, api_key) as client:
            if bundle:
                job = client.submit_bundle(file)
            else:
                job = client.submit_history_file(file, metadata=metadata)
            if not wait:
                click.echo(f"{job.id} {job.status.value} {url.rstrip('/')}/v1/jobs/{job.id}")
                return
            while not job.status.terminal:
                _show_progress(job)
                time.sleep(0.25)
                job = client.get_job(job.id)
            _show_progress(job)
            click.echo("", err=True)
    except ApiError as exc:
        _fail(str(exc))
    if job.diagnosis is None:
        _fail(f"job {job.id} {job.status.value}: {job.error.detail if job.error else 'no diagnosis'}")
    sys.exit(_print_diagnosis(job.diagnosis, as_json))


@main.command()
@click.argument("job_id")
@url_option
@key_option
def status(job_id: str, url: str, api_key: str | None) -> None:
    """Show a job's status (and its diagnosis once finished)."""
    from convdiag.client import ApiError, Client

    try:
        with Client(url, api_key) as client:
            job = client.get_job(job_id)
    except ApiError as exc:
        _fail(str(exc))
    click.echo(f"{job.id} {job.status.value} progress={job.progress:.0%} attempts={job.attempts}")
    if job.error:
        click.echo(f"error: {job.error.title}: {job.error.detail}")
    if job.diagnosis:
        _print_diagnosis(job.diagnosis, as_json=False)


@main.command()
@click.argument("job_id")
@click.option("--right/--wrong", "verdict_right", required=True, help="Was the verdict right?")
@click.option(
    "--fix-helped/--fix-did-not-help", "fix_helped", default=None, help="If you tried the first fix."
)
@click.option("--cause", "actual_cause", default=None, help="The cause it really was (a taxonomy code).")
@click.option("--comment", default=None)
@url_option
@key_option
def feedback(
    job_id: str,
    verdict_right: bool,
    fix_helped: bool | None,
    actual_cause: str | None,
    comment: str | None,
    url: str,
    api_key: str | None,
) -> None:
    """Tell the server whether a job's verdict was right and whether its first fix helped."""
    from pydantic import ValidationError

    from convdiag.client import ApiError, Client
    from convdiag.jobs import FeedbackIn

    try:
        # Validated from plain values: the cause is checked against the taxonomy's codes here.
        said = FeedbackIn.model_validate(
            {
                "verdict_right": verdict_right,
                "fix_helped": fix_helped,
                "actual_cause": actual_cause,
                "comment": comment,
            }
        )
    except ValidationError as exc:
        _fail(f"feedback: {exc.errors()[0]['msg']}")
    try:
        with Client(url, api_key) as client:
            job = client.send_feedback(job_id, said)
    except ApiError as exc:
        _fail(str(exc))
    click.echo(f"{job.id}: feedback stored")


@main.command()
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the Diagnosis as JSON.")
def probe(bundle: Path, as_json: bool) -> None:
    """Probe a bundle (model.keras + data.npz + training.json, zipped) locally.

    Runs the probes in the same sandbox as the service's worker (a fresh bubblewrap child
    process with no network, no other files, and memory and CPU limits); where the sandbox
    cannot be set up, the bundle is not probed. Exit status: 0 healthy, 1 problems found,
    2 unusable bundle (or no sandbox), 3 inconclusive."""
    import zipfile

    from diagnosis.probes.loader import BundleError, check_archive

    # What a zip check can tell comes before the seconds the sandbox and TensorFlow take.
    try:
        check_archive(bundle)
    except BundleError as exc:
        hint = "" if zipfile.is_zipfile(bundle) else " (a training history? `convdiag diagnose` reads it)"
        _fail(f"{bundle}: {exc}{hint}")
    _require("probes", "convdiag probe")
    from convdiag import sandbox
    from convdiag.settings import get_settings
    from diagnosis import Diagnosis

    def progress(fraction: float, stage: str) -> None:
        click.echo(f"\r[{fraction:>4.0%}] {stage}".ljust(30), nl=False, err=True)

    try:
        result = sandbox.run(bundle, sandbox.SandboxLimits.from_settings(get_settings()), progress)
    except (sandbox.BundleRefused, sandbox.LimitExceeded) as exc:
        click.echo("", err=True)
        _fail(f"{bundle}: {exc}")
    except sandbox.SandboxUnavailable as exc:
        click.echo("", err=True)
        _fail(f"{bundle} was not probed: {exc}")
    except sandbox.SandboxCrashed as exc:
        click.echo("", err=True)
        _fail(f"{bundle}: {exc}")
    click.echo("", err=True)
    sys.exit(_print_diagnosis(Diagnosis.model_validate(result), as_json))


@main.command("hash-key")
@click.argument("key")
def hash_key(key: str) -> None:
    """Print the hash to put in CONVDIAG_API_KEYS for an API key."""
    from convdiag.settings import hash_api_key

    click.echo(hash_api_key(key))
