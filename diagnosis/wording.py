"""The one place that decides what a run's points are called in the text a user reads.

A Keras history has a point per epoch; a log read per logged step (a Hugging Face
`trainer_state.json`, a Lightning `metrics.csv` or step lines of a short fine-tune:
`SourceInfo.granularity` "step") has a point per logged training step, numbered from 0 as
epochs are. A finding that says "since epoch 9" or "saved 50 epochs" of such a run names
epochs that never were, so every summary, recommendation and verdict line takes its unit word
from `TrainingHistory.unit` (or `point_words` of the source it has) rather than writing
"epoch". Evidence keys (`best_epoch`, `epochs_saved`) stay as they are: they are the API's
field names, and `RunSummary.source.granularity` says what their numbers count.
"""

from __future__ import annotations

from dataclasses import dataclass

# SourceInfo.granularity of a run read per logged step.
PER_STEP = "step"
# Small counts a sentence may spell out.
SPELLED = {1: "one", 2: "two", 3: "three"}


@dataclass(frozen=True)
class PointWords:
    """What one point of the run is called: `one` ("epoch") and `many` ("epochs")."""

    one: str
    many: str

    def count(self, n: int, spelled: bool = False) -> str:
        """`n` points in words: "1 epoch", "12 logged steps"; "two epochs" where `spelled` and
        `n` is one of SPELLED."""
        number = SPELLED.get(n, str(n)) if spelled else str(n)
        return f"{number} {self.one if n == 1 else self.many}"

    @property
    def logged(self) -> str:
        """The points as logged ones: "logged epochs", "logged steps"."""
        return self.many if self.many.startswith("logged ") else f"logged {self.many}"


EPOCHS = PointWords("epoch", "epochs")
LOGGED_STEPS = PointWords("logged step", "logged steps")


def point_words(granularity: str) -> PointWords:
    """The words for the points of a run read at `granularity` (SourceInfo.granularity)."""
    return LOGGED_STEPS if granularity == PER_STEP else EPOCHS
