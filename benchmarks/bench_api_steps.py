"""What each step of POST /v1/histories costs the API process, by taking steps away.

    .venv/bin/python -m benchmarks.bench_api_steps [--requests 1000] [--rounds 2]

The app runs in this process (httpx's ASGI transport, no sockets, no uvicorn) on a private
redis-server, under bench_load's 16 clients and body. For each variant, the CPU time of this
process per request (the app and the clients; the inline diagnosis children are apart) over
`--requests` requests, then the next step is replaced by a no-op that returns what it would
(cumulatively): the inline diagnosis answered at once (no hand-off to its process), no job
store write, no rate-limit check. The bare app of bench_load is the floor: the clients,
Starlette and FastAPI. Differences between rows are what a step costs; the shared machine
makes single rows noisy, so read the rounds together.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from benchmarks.bench_load import BODY, HEADERS, KEY, bare_app, own_cpu_seconds
from convdiag.jobs import Job, JobKind
from convdiag.settings import Settings, hash_api_key
from diagnosis.formats import dump_runs, load_runs
from service.inline import diagnose_history
from service.main import create_app
from testkit.support import RedisServer

CLIENTS = 16


async def _load(app: FastAPI, requests: int) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api", headers=HEADERS) as client:
        left = requests

        async def one_client() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                response = await client.post("/v1/histories", content=BODY)
                response.raise_for_status()

        await asyncio.gather(*(one_client() for _ in range(CLIENTS)))


async def _cpu_ms(app: FastAPI, requests: int) -> float:
    await _load(app, CLIENTS)  # warm: the inline children start on the first history
    before = own_cpu_seconds()
    await _load(app, requests)
    return 1000 * (own_cpu_seconds() - before) / requests


def _steps(app: FastAPI, payload: bytes) -> list[tuple[str, Callable[[], None]]]:
    outcome = diagnose_history(payload)
    job: Job = app.state.store.create(tenant="bench", kind=JobKind.history, payload=payload, outcome=outcome)

    async def answered(work: Any, data: bytes) -> Any:
        return outcome

    async def allowed(key: str) -> None:
        return None

    async def stored(**fields: Any) -> Job:
        return job

    return [
        ("as is", lambda: None),
        ("inline diagnosis answered at once", lambda: setattr(app.state.inline, "run", answered)),
        ("+ no job store write", lambda: setattr(app.state.store, "create_final", stored)),
        ("+ no rate-limit check", lambda: setattr(app.state.rate_limiter, "check", allowed)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="CPU per POST of the API, step by step.")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f".venv/bin/python -m benchmarks.bench_api_steps --requests {args.requests} --rounds {args.rounds}")
    with tempfile.TemporaryDirectory(prefix="bench-steps-") as tmp, RedisServer(Path(tmp)) as redis:
        settings = Settings(
            redis_url=redis.url,
            data_dir=Path(tmp),
            api_keys={hash_api_key(KEY): "bench"},
            rate_limit="100000000/minute",
        )
        app = create_app(settings)
        payload = dump_runs(load_runs(BODY, "history.json", max_unpacked_bytes=settings.max_body_bytes))

        async def run() -> None:
            for name, take_away in [*_steps(app, payload), ("bare FastAPI app", lambda: None)]:
                take_away()
                target = bare_app() if name.startswith("bare") else app
                rounds = [await _cpu_ms(target, args.requests) for _ in range(args.rounds)]
                print(f"{name:36s} " + "  ".join(f"{ms:.2f}" for ms in rounds) + "  ms CPU per request")
            await app.state.inline.close()

        started = time.monotonic()
        asyncio.run(run())
        print(f"({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
