"""Run a Python module as `python -m` would, sampling every thread's stack while it runs.

    python -m benchmarks.sampler --out stacks.folded [--interval 0.005] uvicorn --factory ...
    python -m benchmarks.sampler --summarize stacks.folded

A stand-in for py-spy that needs nothing installed: a daemon thread reads
`sys._current_frames()` every `interval` seconds and counts each thread's stack, folded
(`thread;outer;...;inner count`, the format flame graph tools read), written when the module
returns. `--summarize` splits the busy samples into the API's steps (STEPS).

What it can and cannot see: a sample is taken only when the sampler gets the GIL, so native
code that holds it (pydantic-core, json, numpy) counts in the Python frame that called it, and
work uvloop and httptools do in C between callbacks looks like an idle loop. It samples wall
time, not CPU: a thread blocked on a Redis reply counts too, as its own step.
`bench_load --profile DIR` runs the API under it.
"""

from __future__ import annotations

import argparse
import runpy
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

# Innermost frames of a thread with nothing to do: the event loop polling (asyncio's selector,
# or uvloop's C loop under Runner.run), a pool thread waiting for work.
IDLE_LEAVES = frozenset({"select", "poll", "wait", "_worker", "sleep"})
IDLE_FRAMES = frozenset({"asyncio.runners.Runner.run"})
# Busy samples by the first of these frames found on the stack, innermost step first.
STEPS = (
    ("waiting for a Redis reply", ("redis._parsers.socket.SocketBuffer._read_from_socket",)),
    ("diagnosis", ("diagnosis.engine.diagnose_runs",)),
    ("history parsing and validation", ("diagnosis.formats.load_runs", "diagnosis.formats.dump_runs")),
    ("job store write (Redis MULTI)", ("convdiag.jobs.store.JobStore.create",)),
    ("rate limit (limits, Lua in Redis)", ("service.ratelimit.RateLimiter.check",)),
    ("auth (sha256, compare)", ("service.deps.tenant_for_key", "convdiag.settings.hash_api_key")),
    ("response: validate and serialize the Job", ("fastapi.routing.serialize_response",)),
    ("thread pool hand-off", ("anyio.to_thread.run_sync", "anyio._backends._asyncio.WorkerThread.run")),
    ("process pool hand-off", ("concurrent.futures.process",)),
    ("FastAPI dependencies, params", ("fastapi.dependencies.utils.solve_dependencies",)),
    ("route and middleware (Starlette, FastAPI, ours)", ("starlette.", "fastapi.", "service.")),
    ("uvicorn protocol (httptools callbacks)", ("uvicorn.",)),
)


def _fold(frame: FrameType | None) -> list[str]:
    names = []
    while frame is not None:
        module = frame.f_globals.get("__name__", "?")
        names.append(f"{module}.{frame.f_code.co_qualname}")
        frame = frame.f_back
    return names[::-1]


class Sampler(threading.Thread):
    def __init__(self, interval: float) -> None:
        super().__init__(name="sampler", daemon=True)
        self.interval = interval
        self.stacks: Counter[str] = Counter()
        self.stopped = threading.Event()

    def run(self) -> None:
        names: dict[int | None, str] = {}
        while not self.stopped.wait(self.interval):
            for thread in threading.enumerate():
                names[thread.ident] = thread.name
            for ident, frame in sys._current_frames().items():
                if ident != self.ident:
                    thread_name = names.get(ident, str(ident)).split(" ")[0]
                    self.stacks[";".join([thread_name, *_fold(frame)])] += 1


def idle(stack: str) -> bool:
    leaf = stack.rsplit(";", 1)[-1]
    return leaf in IDLE_FRAMES or leaf.rsplit(".", 1)[-1] in IDLE_LEAVES


def step(stack: str) -> str:
    frames = stack.split(";")[1:]
    for name, markers in STEPS:
        if any(frame.startswith(markers) for frame in frames):
            return name
    return "other"


def summarize(path: Path) -> str:
    stacks = Counter[str]()
    for line in path.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        stacks[stack] += int(samples)
    busy = Counter[str]()
    for stack, count in stacks.items():
        if not idle(stack):
            busy[step(stack)] += count
    total = sum(busy.values())
    lines = [f"{total} busy samples of {sum(stacks.values())} (all threads)"]
    lines += [f"{count / total:6.1%}  {name}" for name, count in busy.most_common()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="folded stacks, one per line")
    parser.add_argument("--interval", type=float, default=0.005, help="seconds between samples")
    parser.add_argument("--summarize", type=Path, help="print the busy samples of FILE by step")
    parser.add_argument("module", nargs="?", help="run like python -m MODULE ARGS")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.summarize:
        print(summarize(args.summarize))
        return
    if not args.module or not args.out:
        parser.error("give --out FILE and a module to run, or --summarize FILE")
    sampler = Sampler(args.interval)
    # uvicorn raises the SIGTERM it stopped on again once it has shut down, to end the process
    # by the handler it found; this one ends it by SystemExit, so the stacks get written.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    sys.argv = [args.module, *args.args]
    started = time.monotonic()
    sampler.start()
    try:
        runpy.run_module(args.module, run_name="__main__", alter_sys=True)
    finally:
        sampler.stopped.set()
        sampler.join()
        args.out.write_text("".join(f"{stack} {count}\n" for stack, count in sampler.stacks.most_common()))
        seconds = time.monotonic() - started
        print(f"sampler: {sum(sampler.stacks.values())} stacks in {seconds:.1f} s -> {args.out}")


if __name__ == "__main__":
    main()
