"""CPU time of one inline history job: what a diagnosis process beside the API spends per POST.

    .venv/bin/python -m benchmarks.bench_inline_cpu [--jobs 300] [--rounds 5]

`read_runs` + `diagnose_runs` + pickling the outcome (service.inline's child loop, without the
socket) on bench_load's stored payload, timed with `time.process_time`, so a machine busy with
other work inflates the numbers less than it does bench_load's rates. Compare two revisions by
alternating runs of each in the same window (docs/benchmarks/load.md, *Fourth pass*).
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import time

from benchmarks.bench_load import BODY
from diagnosis.formats import dump_runs, load_runs
from service.inline import diagnose_history

WARM_UP_JOBS = 50


def main() -> None:
    parser = argparse.ArgumentParser(description="CPU per inline history job.")
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    payload = dump_runs(load_runs(BODY, "history.json", max_unpacked_bytes=len(BODY) * 2))
    for _ in range(WARM_UP_JOBS):
        diagnose_history(payload)
    rounds = []
    for _ in range(args.rounds):
        started = time.process_time()
        for _ in range(args.jobs):
            pickle.dumps(diagnose_history(payload))
        rounds.append(1000 * (time.process_time() - started) / args.jobs)
    print(
        " ".join(f"{ms:.3f}" for ms in rounds)
        + f"  ms CPU per job; median {statistics.median(rounds):.3f}, min {min(rounds):.3f}"
    )


if __name__ == "__main__":
    main()
