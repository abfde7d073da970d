"""Draw the wild corpus' next held-out third (tests/corpus/wild/manifest.json), in place.

    .venv/bin/python scripts/draw_wild_holdout.py

Once per round, after the current holdout has been scored once: every `holdout` log becomes
`retired` (tuning material from now on), then the `pending` logs (labelled since the last draw,
never scored) are split into `holdout` and `tune` by a seeded draw stratified by label, so that
per label holdout / (tune + holdout) is as close to a third as whole logs allow. Retired logs
are not counted, and only pending logs can be held out: every older log has been seen.
Each drawn log records SEED in `draw_seed`; the same manifest and seed give the same draw.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

MANIFEST = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "wild" / "manifest.json"
SEED = 1204  # this round's seed (epoch seconds mod 10,000 at the draw); in each drawn log's draw_seed
HOLDOUT_SHARE = 1 / 3


def draw(logs: list[dict[str, Any]], seed: int) -> None:
    """Retire the scored holdout, then split the pending logs of each label (in place)."""
    for log in logs:
        if log["split"] == "holdout":
            log["split"] = "retired"
    rng = random.Random(seed)
    for label in ("healthy", "faulty"):
        pending = sorted(
            (log for log in logs if log["label"] == label and log["split"] == "pending"),
            key=lambda log: log["id"],
        )
        tune = sum(log["label"] == label and log["split"] == "tune" for log in logs)
        # The holdout comes out of the pending logs alone, so it is a third of tune + pending.
        size = min(len(pending), round((tune + len(pending)) * HOLDOUT_SHARE))
        held = {log["id"] for log in rng.sample(pending, size)}
        for log in pending:
            log["split"] = "holdout" if log["id"] in held else "tune"
            log["draw_seed"] = seed


def main() -> None:
    manifest = json.loads(MANIFEST.read_text())
    draw(manifest["logs"], SEED)
    MANIFEST.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    for label in ("healthy", "faulty"):
        splits = [log["split"] for log in manifest["logs"] if log["label"] == label]
        held, tune = splits.count("holdout"), splits.count("tune")
        print(
            f"{label}: {held} holdout, {tune} tune ({held / (held + tune):.3f} held out), "
            f"{splits.count('retired')} retired"
        )


if __name__ == "__main__":
    main()
