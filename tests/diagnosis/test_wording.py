"""What a run's points are called in the text a user reads (diagnosis.wording): a log read per
logged step speaks of logged steps, never of an "epoch 9" that is a step index; a Keras history
read per epoch still speaks of epochs. Real files of tests/fixtures/formats/wild."""

from __future__ import annotations

import re

import pytest

from convdiag.report.text import render_text
from diagnosis.engine import diagnose_runs
from diagnosis.formats import load_path
from diagnosis.models import Diagnosis
from diagnosis.wording import EPOCHS, LOGGED_STEPS, point_words
from tests.diagnosis.writers import WILD_CORPUS, wild_log

# "epoch 9", "epochs 3-5", "50 epochs", "1 epoch", "epoch(s)": a count or an index in epochs.
EPOCH_COUNT = re.compile(r"\bepochs? \d|\d+ epochs?\b|\bepoch\(s\)")


def _words(diagnosis: Diagnosis) -> list[str]:
    """Every sentence of a diagnosis a user reads: findings, verdict, evidence, terminal text."""
    verdict = diagnosis.verdict
    said = [verdict.headline, render_text(diagnosis)]
    for finding in diagnosis.findings:
        said += [finding.summary, finding.recommendation]
    for cause in verdict.causes:
        said += [e.detail for e in [*cause.evidence_for, *cause.evidence_against]]
    return said


def test_the_unit_is_decided_in_one_place() -> None:
    assert point_words("step") is LOGGED_STEPS
    assert point_words("epoch") is EPOCHS
    assert LOGGED_STEPS.count(1) == "1 logged step"
    assert EPOCHS.count(2, spelled=True) == "two epochs"
    assert EPOCHS.logged == LOGGED_STEPS.logged.replace("steps", "epochs") == "logged epochs"


def test_a_per_step_trainer_state_speaks_of_logged_steps() -> None:
    # Wild log w209 (tuning split): a Whisper fine-tune, loss every 25 steps (60 points, 1.4
    # epochs: read per step), eval every 250. Its overfitting once said "since epoch 9" and
    # "would have saved 50 epochs" of a run that had fewer than two.
    (run,) = load_path(WILD_CORPUS / "w209_whisper-finetune-wer-doubles.json")
    assert (run.source.format, run.source.granularity) == ("hf_trainer_state", "step")
    assert run.unit is LOGGED_STEPS
    diagnosis = diagnose_runs([run])
    found = {f.code: f for f in diagnosis.findings}
    overfitting = found["overfitting"]
    assert "since logged step 9 " in overfitting.summary
    advice = overfitting.recommendation
    assert advice.startswith("Stop at the best logged step: keep the checkpoint of its best evaluation")
    assert "would have saved 50 logged steps;" in overfitting.recommendation
    # EarlyStopping's patience counts epochs, which this run has fewer than two of.
    assert "patience" not in overfitting.recommendation
    assert overfitting.evidence["onset_epoch"] == 9  # the API's field names stay
    assert "from logged step 6" in found["loss_diverging"].summary
    assert render_text(diagnosis).startswith("60 logged steps, metrics:")
    for text in _words(diagnosis):
        assert not EPOCH_COUNT.search(text), text


@pytest.mark.parametrize(
    "name",
    [
        "hf-log-history-list-bert-multiclass.json",  # a Trainer's log_history, healthy
        "wandb-nanogpt-train-loss-8-runs.csv",  # loss_diverging, loss_spikes per step
        "tb-scalars-unet-logged-steps-train_loss.csv",  # loss_plateau per step
    ],
)
def test_other_per_step_logs_never_count_epochs(name: str) -> None:
    runs = load_path(wild_log(name))
    assert all(run.source.granularity == "step" for run in runs)
    diagnosis = diagnose_runs(runs)
    said = [text for d in [diagnosis, *diagnosis.runs] for text in _words(d)]
    assert any("logged step" in text for text in said)
    for text in said:
        assert not EPOCH_COUNT.search(text), text


def test_a_keras_history_read_per_epoch_still_speaks_of_epochs() -> None:
    # A Keras console log: val_loss best at its first epoch, ten epochs of a continued training.
    (run,) = load_path(wild_log("16_ships-cnn-continued-training-overfit.txt"))
    assert (run.source.format, run.source.granularity) == ("keras_console", "epoch")
    diagnosis = diagnose_runs([run])
    overfitting = next(f for f in diagnosis.findings if f.code == "overfitting")
    assert "since epoch 0 " in overfitting.summary
    assert "Stop at the best epoch: use keras.callbacks.EarlyStopping(" in overfitting.recommendation
    assert "would have saved 9 epochs;" in overfitting.recommendation
    assert render_text(diagnosis).startswith("10 epochs, metrics:")
    assert not any("logged step" in text for text in _words(diagnosis))
