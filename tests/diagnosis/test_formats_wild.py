"""Training logs from public projects, read as they were pasted (tests/fixtures/formats/wild,
SOURCES.md there names each source). A log counts as read only when every run's epoch count
and the last training loss match what manifest.json records, read by hand from the file."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from diagnosis.engine import diagnose_runs
from diagnosis.formats import load_path
from diagnosis.history import HistoryError
from tests.diagnosis.writers import FIXTURES

WILD = FIXTURES / "wild"
MANIFEST = json.loads((WILD / "manifest.json").read_text())


READABLE = sorted(name for name, entry in MANIFEST.items() if "error" not in entry)
REFUSED = sorted(name for name, entry in MANIFEST.items() if "error" in entry)


@pytest.mark.parametrize("name", READABLE)
def test_wild_log_reads_as_its_source_shows(name: str) -> None:
    expected = MANIFEST[name]
    runs = load_path(WILD / name)
    assert [run.epochs for run in runs] == expected["epochs"]
    last = float(runs[-1].metrics["loss"][-1])
    if expected["last_loss"] is None:
        assert math.isnan(last)
    else:
        assert last == pytest.approx(expected["last_loss"], rel=1e-9)


@pytest.mark.parametrize("name", REFUSED)
def test_wild_files_that_hold_no_history_are_refused_with_what_they_are(name: str) -> None:
    with pytest.raises(HistoryError, match=MANIFEST[name]["error"]):
        load_path(WILD / name)


def test_every_wild_log_has_a_manifest_entry() -> None:
    logs = {path.name for path in WILD.iterdir() if path.name not in {"manifest.json", "SOURCES.md"}}
    assert logs == set(MANIFEST)


def test_an_interrupted_epoch_is_reported_as_skipped() -> None:
    (run,) = load_path(WILD / "35_cifar10-deep-mlp-stuck-ln10-interrupted.txt")
    assert run.source.skipped[0].lines == "28"
    assert "epoch 14/20" in run.source.skipped[0].reason
    # And the diagnosis says so too, where a user reads it.
    assert diagnose_runs([run]).run.source.skipped_lines == 1


def test_prints_after_the_last_epoch_are_skipped_not_read() -> None:
    (run,) = load_path(WILD / "21_cifar100-cnn-softmax-early-overfit-onset.txt")
    assert run.epochs == 10
    assert run.source.skipped[0].lines == "22-25"  # Accuracy/Precision/Recall/F1 prints
    assert set(run.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_the_input_says_num_samples_and_steps_for_free() -> None:
    (old,) = load_path(WILD / "48_keras-issue4662-val-acc-frozen-majority-EXCERPT.txt")
    assert (old.source.facts.num_samples, old.source.facts.val_samples) == (2086, 2084)
    assert old.metadata.num_samples == 2086  # the engine's rules read it from the metadata
    assert old.source.facts.steps_per_epoch is None  # Keras 1 counts samples, not steps
    (new,) = load_path(WILD / "39_split-model-inf-loss-early-then-recovers-EXCERPT.txt")
    assert new.source.facts.steps_per_epoch == 211
    assert new.metadata.num_samples is None


def test_a_logged_learning_rate_is_a_fact_of_the_input() -> None:
    (run,) = load_path(WILD / "30_blood-group-reduce-lr-healthy.csv")
    assert run.source.facts.learning_rate == pytest.approx(0.001)
    assert run.metadata.learning_rate == pytest.approx(0.001)
    assert diagnose_runs([run]).run.lr_schedule  # the schedule the column shows


def test_csv_without_epoch_column_and_with_title_line() -> None:
    (plain,) = load_path(WILD / "46_drowsiness-tiny-data-near-chance-no-epoch-col.csv")
    assert plain.epochs == 39
    (titled,) = load_path(WILD / "08_speech-digit-semicolon-mild-overfit.csv")
    assert list(titled.metrics) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert titled.metrics["val_loss"][-1] == pytest.approx(0.17382508516311646)


def test_inf_losses_are_data() -> None:
    (run,) = load_path(WILD / "39_split-model-inf-loss-early-then-recovers-EXCERPT.txt")
    assert np.isinf(run.metrics["loss"][:8]).all()
    assert run.metrics["loss"][8] == pytest.approx(1.1602)


def test_a_text_column_is_left_out_and_said() -> None:
    (run,) = load_path(WILD / "w164_vision-based-autonomous-driv.csv")
    assert set(run.metrics) == {"loss", "val_loss", "steer_mae"}
    assert "column 'phase' holds text" in run.source.skipped[0].reason


def test_a_fine_tune_saved_under_a_prefix_is_a_second_run() -> None:
    first, second = load_path(WILD / "w119_plant-nutrient-classifier.json")
    assert (first.epochs, second.epochs) == (9, 5)
    assert set(second.metrics) == {"accuracy", "val_accuracy", "loss", "val_loss"}
    assert "test_loss" not in first.metrics  # a final score beside the curves, not a curve
