"""The whole service under load, and a bare FastAPI app under the same load for scale.

Starts a private redis-server, the API and one light worker exactly as docker-compose.yml
runs them (testkit.support.local_command: same commands, loopback, a free port), then N
concurrent clients POST a 30-epoch history to /v1/histories for the duration, without
`wait`, as fast as answers come. Then it waits (bounded) for every accepted job to finish.

    make bench-load
    .venv/bin/python -m benchmarks.bench_load [--clients 16] [--duration 60] [--drain 120]
        [--inline-history-max-bytes N] [--profile DIR] [--json]

Reported: accepted/s (202s per second of load); finished/s (jobs finished per second from
the first POST to the last finish); latency from just before a POST to the job's
`finished_at` (same machine, same clock), p50 and p99; accepted jobs that never finished
within the drain time (must be 0); how many finished jobs say the (healthy) history is
healthy; other answers by status. By default a history this small is diagnosed in the API
process (service/inline.py); `--inline-history-max-bytes 0` sends every one through the
worker instead, for comparison. Then the same clients, body and
duration against a bare FastAPI app (one POST route that parses the JSON body and answers
202) under the same uvicorn command; its accepted/s is the scale for ours (ratio ours/bare).
The clients share the machine with the servers, so absolute numbers say as much about the
box as about the service; the ratio is the number to compare across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request

from benchmarks.common import command_line
from benchmarks.profile_steps import summarize
from convdiag.settings import Settings, hash_api_key
from testkit import histories
from testkit.support import (
    COMPOSE,
    ROOT,
    RedisServer,
    free_port,
    local_command,
    settings_env,
    stop_process,
    wait_until,
)

KEY = "bench-load-key-0123456789abcdef"
HEADERS = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
BODY = json.dumps({"history": histories.healthy()}).encode()
TERMINAL = {"succeeded", "failed", "cancelled"}
# Per-request timeout: a request slower than this counts as an error, it does not hang the run.
REQUEST_TIMEOUT = 30.0
# How many job reads the drain keeps in flight.
DRAIN_CONCURRENCY = 32
BARE_FACTORY = "benchmarks.bench_load:bare_app"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Seconds py-spy gets to write its stacks once told to stop.
PY_SPY_STOP_S = 30.0


def bare_app() -> FastAPI:
    """The scale: what FastAPI and uvicorn cost for the same request with no work behind it."""
    app = FastAPI()

    @app.post("/v1/histories", status_code=202)
    async def accept(request: Request) -> dict[str, str]:
        json.loads(await request.body())
        return {"id": uuid.uuid4().hex}

    return app


@dataclass
class Load:
    seconds: float
    accepted: dict[str, float] = field(default_factory=dict)  # job id -> wall clock before its POST
    statuses: Counter[str] = field(default_factory=Counter)  # answers other than 202, and errors

    @property
    def per_second(self) -> float:
        return len(self.accepted) / self.seconds


async def _load(url: str, clients: int, duration: float) -> Load:
    """`clients` connections POSTing one after another until `duration` has passed."""
    load = Load(seconds=duration)
    deadline = time.monotonic() + duration
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=url, headers=HEADERS, timeout=REQUEST_TIMEOUT, limits=limits
    ) as client:

        async def one_client() -> None:
            while time.monotonic() < deadline:
                sent = time.time()
                try:
                    response = await client.post("/v1/histories", content=BODY)
                except httpx.HTTPError as exc:
                    load.statuses[type(exc).__name__] += 1
                    continue
                if response.status_code == 202:
                    load.accepted[response.json()["id"]] = sent
                else:
                    load.statuses[str(response.status_code)] += 1

        started = time.monotonic()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        load.seconds = time.monotonic() - started
    return load


def _cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) spent so far by a process, and by every process now under
    it (the API's inline diagnosis processes, Celery's pool)."""
    parents: dict[int, int] = {}
    spent: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # "pid (command) state ppid ... utime stime ...": fields 4, 14 and 15.
            fields = stat.read_text().rpartition(")")[2].split()
            parents[int(stat.parent.name)] = int(fields[1])
            spent[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    tree = {pid}
    while grown := {child for child, parent in parents.items() if parent in tree} - tree:
        tree |= grown
    return spent.get(pid, 0.0), sum(spent.get(member, 0.0) for member in tree - {pid})


def own_cpu_seconds() -> float:
    """CPU seconds (user + system) spent so far by this process."""
    times = os.times()
    return times.user + times.system


def _measured_load(
    url: str, clients: int, duration: float, processes: dict[str, int]
) -> tuple[Load, dict[str, float]]:
    """The load, and CPU milliseconds per accepted request of each named process, of the
    processes under it ("NAME children") and of the clients (this process). One request
    first, outside the numbers: the API starts its inline diagnosis processes on the first."""
    httpx.post(f"{url}/v1/histories", content=BODY, headers=HEADERS, timeout=REQUEST_TIMEOUT)
    before = {name: _cpu_seconds(pid) for name, pid in processes.items()}
    own = own_cpu_seconds()
    load = asyncio.run(_load(url, clients, duration))
    spent = {"clients": own_cpu_seconds() - own}
    for name, pid in processes.items():
        (itself, under), (itself_before, under_before) = _cpu_seconds(pid), before[name]
        spent[name] = itself - itself_before
        if under or under_before:
            spent[f"{name} children"] = under - under_before
    per_request = {name: round(1000 * s / max(1, len(load.accepted)), 2) for name, s in spent.items()}
    return load, per_request


async def _drain(url: str, job_ids: list[str], timeout: float) -> dict[str, dict[str, Any]]:
    """The final state of every job that finishes within `timeout`, read oldest first: jobs
    finish roughly in order, so a batch still running means the later ones are too."""
    finished: dict[str, dict[str, Any]] = {}
    pending = list(job_ids)
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=url, headers=HEADERS, timeout=REQUEST_TIMEOUT) as client:

        async def look(job_id: str) -> None:
            response = await client.get(f"/v1/jobs/{job_id}")
            if response.status_code == 200 and (job := response.json())["status"] in TERMINAL:
                finished[job_id] = job

        while pending and time.monotonic() < deadline:
            batch = pending[:DRAIN_CONCURRENCY]
            await asyncio.gather(*(look(job_id) for job_id in batch), return_exceptions=True)
            pending = [job_id for job_id in pending if job_id not in finished]
            if pending and pending[0] in batch:
                await asyncio.sleep(0.5)  # the oldest is still going: give the worker time
    return finished


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def _service_report(load: Load, finished: dict[str, dict[str, Any]]) -> dict[str, Any]:
    ends = {i: datetime.fromisoformat(job["finished_at"]).timestamp() for i, job in finished.items()}
    latencies = [ends[i] - load.accepted[i] for i in ends]
    span = max(ends.values()) - min(load.accepted.values()) if ends else float("nan")
    return {
        "accepted": len(load.accepted),
        "accepted_per_s": round(load.per_second, 1),
        "finished": len(finished),
        "finished_per_s": round(len(finished) / span, 1) if ends else 0.0,
        "failed": sum(job["status"] != "succeeded" for job in finished.values()),
        "healthy": sum(bool(job["diagnosis"] and job["diagnosis"]["healthy"]) for job in finished.values()),
        "never_finished": len(load.accepted) - len(finished),
        "latency_p50_s": round(_percentile(latencies, 50), 3) if latencies else None,
        "latency_p99_s": round(_percentile(latencies, 99), 3) if latencies else None,
        "other_answers": dict(load.statuses),
    }


@contextmanager
def _process(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            stop_process(proc)


def _ready(url: str, path: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    def up() -> bool:
        if proc.poll() is not None:
            command = shlex.join(map(str, proc.args)) if isinstance(proc.args, list) else str(proc.args)
            raise RuntimeError(f"{command} exited:\n{log.read_text()[-3000:]}")
        return httpx.get(f"{url}{path}", timeout=5).status_code == 200

    wait_until(up, 60, f"{url}{path}", interval=0.2)


def py_spy() -> str | None:
    """The py-spy of the bench extra: beside this interpreter, else on PATH."""
    beside = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', os.defpath)}"
    return shutil.which("py-spy", path=beside)


@contextmanager
def _py_spy(pid: int, out: Path, log: Path) -> Iterator[None]:
    """py-spy attached to the API (`pid`) and its inline diagnosis children, recording folded
    stacks (benchmarks.profile_steps reads them) into `out` until the block ends. Attached
    rather than launching the API, so the API runs as compose runs it and its CPU stays its own."""
    executable = py_spy()
    if executable is None:
        raise RuntimeError("--profile needs py-spy: pip install -e '.[bench]'")
    out.parent.mkdir(parents=True, exist_ok=True)
    # --gil: only the thread holding its process's GIL is sampled. py-spy's idle test (the OS
    # thread state) let through threads woken but not yet running on a busy 2-core box (pool
    # threads in Condition.wait, children in a socket read): 45 % of a 5 s run's samples.
    # --nonblocking: the API is not paused for each sample (paused, 65 %). The price: an odd
    # torn stack, and native work done without the GIL (socket I/O) unseen.
    command = [
        executable,
        "record",
        "--format",
        "raw",
        "--threads",
        "--subprocesses",
        "--nonblocking",
        "--gil",
    ]
    with log.open("wb") as output:
        proc = subprocess.Popen(
            [*command, "-o", str(out), "--pid", str(pid)], stdout=output, stderr=subprocess.STDOUT
        )
        try:
            yield
        finally:
            # py-spy writes its output on SIGINT (Ctrl-C), not on SIGTERM.
            stop_process(proc, PY_SPY_STOP_S, signal.SIGINT)
    if not out.exists():
        raise RuntimeError(f"py-spy wrote no {out}:\n{log.read_text()[-3000:]}")


def _uvicorn_command(factory: str, port: int) -> list[str]:
    """uvicorn with compose's options (`convdiag api --host H --port P OPTIONS` execs uvicorn
    with OPTIONS), the app `factory` and a port of its own."""
    api_args = COMPOSE["services"]["api"]["command"]
    return [
        *local_command(["uvicorn", "--factory", factory, "--host", "127.0.0.1", "--port", "8000"], port),
        *api_args[api_args.index("--port") + 2 :],
    ]


def run(
    clients: int,
    duration: float,
    drain: float,
    inline_history_max_bytes: int | None = None,
    profile: Path | None = None,
) -> dict[str, Any]:
    services = COMPOSE["services"]
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        redis = stack.enter_context(RedisServer(work, *services["redis"]["command"][1:]))
        settings = Settings(
            redis_url=redis.url,
            data_dir=work,
            api_keys={hash_api_key(KEY): "bench"},
            # Counted in Redis as in production, but never reached: the load is the point.
            rate_limit="100000000/minute",
        )
        if inline_history_max_bytes is not None:
            settings.inline_history_max_bytes = inline_history_max_bytes
        env = settings_env(settings)
        api_port, bare_port = free_port(), free_port()
        api_command = local_command(services["api"]["command"], api_port)
        api = stack.enter_context(_process(api_command, env, work / "api.log"))
        worker = stack.enter_context(
            _process(local_command(services["worker-light"]["command"]), env, work / "worker.log")
        )
        api_url = f"http://127.0.0.1:{api_port}"
        _ready(api_url, "/readyz", api, work / "api.log")
        assert redis.proc is not None
        profiling = (
            contextlib.nullcontext()
            if profile is None
            else _py_spy(api.pid, profile / "api.folded", work / "py-spy.log")
        )
        with profiling:
            load, cpu = _measured_load(
                api_url, clients, duration, {"api": api.pid, "worker": worker.pid, "redis": redis.proc.pid}
            )
            finished = asyncio.run(_drain(api_url, list(load.accepted), drain))
        service = {**_service_report(load, finished), "cpu_ms_per_request": cpu}

        bare_command = _uvicorn_command(BARE_FACTORY, bare_port)
        bare = stack.enter_context(_process(bare_command, env, work / "bare.log"))
        bare_url = f"http://127.0.0.1:{bare_port}"
        _ready(bare_url, "/openapi.json", bare, work / "bare.log")
        # The scale must be the bare app, not the service again under another name.
        paths = set(httpx.get(f"{bare_url}/openapi.json", timeout=5).json()["paths"])
        if paths != {"/v1/histories"}:
            raise RuntimeError(f"{shlex.join(bare_command)} is not the bare app: it serves {sorted(paths)}")
        bare_load, bare_cpu = _measured_load(bare_url, clients, duration, {"server": bare.pid})
    return {
        "clients": clients,
        "duration_s": duration,
        "inline_history_max_bytes": settings.inline_history_max_bytes,
        "service": service,
        "bare": {
            "accepted_per_s": round(bare_load.per_second, 1),
            "other_answers": dict(bare_load.statuses),
            "cpu_ms_per_request": bare_cpu,
        },
        "ratio_accepted_ours_to_bare": round(load.per_second / bare_load.per_second, 3),
    }


def _cpu_line(cpu: dict[str, float]) -> str:
    return ", ".join([*(f"{name} {ms}" for name, ms in cpu.items()), f"all {round(sum(cpu.values()), 2)}"])


def format_report(report: dict[str, Any]) -> str:
    ours, bare = report["service"], report["bare"]
    return "\n".join(
        [
            f"{report['clients']} clients, {report['duration_s']:g} s of POST /v1/histories each phase; "
            f"histories up to {report['inline_history_max_bytes']} bytes diagnosed in the API",
            f"service: accepted {ours['accepted']} ({ours['accepted_per_s']}/s), "
            f"finished {ours['finished']} ({ours['finished_per_s']}/s), failed {ours['failed']}, "
            f"never finished {ours['never_finished']}, healthy {ours['healthy']}",
            f"  POST -> finished diagnosis: p50 {ours['latency_p50_s']} s, p99 {ours['latency_p99_s']} s",
            f"  other answers: {ours['other_answers'] or 'none'}",
            f"  CPU ms per accepted request: {_cpu_line(ours['cpu_ms_per_request'])}",
            f"bare FastAPI app: accepted {bare['accepted_per_s']}/s; "
            f"other answers: {bare['other_answers'] or 'none'}",
            f"  CPU ms per accepted request: {_cpu_line(bare['cpu_ms_per_request'])}",
            f"accepted/s, ours / bare: {report['ratio_accepted_ours_to_bare']}",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        description="Load the API and a worker; compare with a bare FastAPI app."
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per phase (default 60)")
    parser.add_argument("--drain", type=float, default=120.0, help="most seconds to wait for the backlog")
    parser.add_argument(
        "--inline-history-max-bytes",
        type=int,
        default=None,
        help="CONVDIAG_INLINE_HISTORY_MAX_BYTES for the API (default: the setting's; 0: all to the worker)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="record the API with py-spy (the bench extra) into DIR/api.folded and print its steps",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.duration <= 0 or args.drain < 0:
        parser.error("--clients must be >= 1, --duration > 0 and --drain >= 0")
    if args.profile is not None and py_spy() is None:
        parser.error("--profile needs py-spy: pip install -e '.[bench]'")
    command = command_line("benchmarks.bench_load", argv)
    if not args.json:
        print(command, flush=True)  # first, so a long run says what it is doing
    report = {
        "command": command,
        **run(args.clients, args.duration, args.drain, args.inline_history_max_bytes, args.profile),
    }
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    if args.profile is not None and not args.json:
        print(f"python -m benchmarks.profile_steps {args.profile / 'api.folded'}")
        print(summarize(args.profile / "api.folded"))
    return 1 if report["service"]["never_finished"] else 0


if __name__ == "__main__":
    sys.exit(main())
