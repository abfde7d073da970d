"""Split py-spy's folded stacks of the API into the API's steps.

    python -m benchmarks.profile_steps DIR/api.folded

`bench_load --profile DIR` records them: `py-spy record --format raw --threads --subprocesses
--gil --nonblocking` attached to the API, so the inline diagnosis children count too and a
sample is a thread holding its process's GIL (why: bench_load._py_spy). Waits (the event loop
in epoll, a pool thread waiting for work, a blocking Redis read) are not sampled; native code
that holds the GIL (pydantic-core, json, numpy, uvloop's callbacks) counts in the Python frame
that called it. The shares are of time on the CPU in Python, not of wall time.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

# Samples by the first of these frames found on the stack, innermost step first; a frame is
# `module.qualname` (STEPS match by prefix).
STEPS = (
    ("reading Redis replies", ("redis._parsers.",)),
    ("diagnosis", ("diagnosis.engine.diagnose_runs",)),
    ("history parsing and validation", ("diagnosis.formats.load_runs", "diagnosis.formats.dump_runs")),
    ("job store write (one Lua call)", ("convdiag.jobs.store.JobStore.create",)),
    ("rate limit (limits, Lua in Redis)", ("service.ratelimit.RateLimiter.check",)),
    ("auth (sha256, compare)", ("service.deps.tenant_for_key", "convdiag.settings.hash_api_key")),
    ("response: validate and serialize the Job", ("fastapi.routing.serialize_response",)),
    ("thread pool hand-off", ("anyio.to_thread.run_sync", "anyio._backends._asyncio.WorkerThread.run")),
    ("inline children, the hand-off to them (service.inline)", ("service.inline.",)),
    ("FastAPI dependencies, params", ("fastapi.dependencies.utils.solve_dependencies",)),
    ("route and middleware (Starlette, FastAPI, ours)", ("starlette.", "fastapi.", "service.")),
    ("uvicorn protocol (httptools callbacks)", ("uvicorn.",)),
)
# py-spy's frame: `qualname (path/of/module.py:line)`, the path relative to its sys.path entry;
# its `process PID:"cmd"` and `thread (TID): name` entries do not match.
FRAME = re.compile(r"(?P<qualname>.+) \((?P<path>[^()]+)\.py:\d+\)")


def frames(stack: str) -> list[str]:
    """The stack's Python frames as `module.qualname`, outermost first."""
    names = []
    for entry in stack.split(";"):
        if match := FRAME.fullmatch(entry):
            module = match["path"].removesuffix("/__init__").replace("/", ".")
            names.append(f"{module}.{match['qualname']}")
    return names


def step(stack: str) -> str:
    names = frames(stack)
    for name, markers in STEPS:
        if any(frame.startswith(markers) for frame in names):
            return name
    return "other"


def summarize(path: Path) -> str:
    steps = Counter[str]()
    for line in path.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        steps[step(stack)] += int(samples)
    total = sum(steps.values())
    lines = [f"{total} samples on the CPU (the API's threads and its children's)"]
    lines += [f"{count / total:6.1%}  {name}" for name, count in steps.most_common()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("folded", type=Path, help="py-spy record --format raw output")
    print(summarize(parser.parse_args(argv).folded))


if __name__ == "__main__":
    main()
