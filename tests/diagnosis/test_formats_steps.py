"""Logs from outside Keras, written per step: Hugging Face trainer_state.json, Lightning's
metrics.csv, W&B chart exports, notebooks (real files in tests/fixtures/formats/wild)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from diagnosis.engine import diagnose_runs
from diagnosis.formats import load_path, load_runs
from diagnosis.formats.steps import MIN_EPOCHS, scalar_name
from diagnosis.history import HistoryError
from diagnosis.judgeable import why_inconclusive
from tests.diagnosis.writers import WILD_CORPUS, wild_log


def test_a_short_fine_tune_is_judged_per_logged_step_and_says_so() -> None:
    (run,) = load_path(wild_log("w069_lora-imdb-distilbert.json"))
    assert run.source.format == "hf_trainer_state"
    assert run.source.granularity == "step"
    assert run.epochs == 18  # 18 logged training steps over 3 epochs (< MIN_EPOCHS)
    # Its 3 evals (one an epoch) would be NaN at the 15 other steps, and NaN means a broken
    # run to the engine: validation is left out of a per-step reading, and the run says so.
    assert "val_loss" not in run.metrics
    assert "val_loss" in run.source.aggregated
    assert run.source.facts.batch_size == 16
    assert run.metadata.batch_size == 16
    assert "read per logged step; left out, logged at too few steps" in _text(run)


def test_validation_a_per_step_reading_left_out_still_counts_for_judging() -> None:
    (run,) = load_path(wild_log("w069_lora-imdb-distilbert.json"))
    assert run.source.left_out == ["val_loss"]
    # A loss of unknown task that fell by half: judged because the input logged validation.
    assert why_inconclusive(run) is None
    # The same steps without the evaluations say nothing of what carries over: inconclusive.
    document = json.loads((wild_log("w069_lora-imdb-distilbert.json")).read_text())
    document["log_history"] = [e for e in document["log_history"] if "eval_loss" not in e]
    (bare,) = load_runs(json.dumps(document).encode(), "trainer_state.json")
    assert bare.source.left_out == []
    assert why_inconclusive(bare) is not None


def test_a_per_step_column_with_any_gap_is_left_out_a_logged_nan_is_kept() -> None:
    # Loss every 500 steps, an eval at each epoch end (steps 751, 1502): half the steps have
    # a validation value, the others would read as NaN; the NaN grad_norm was logged.
    history = [
        {
            "loss": 0.6 - 0.1 * i,
            "grad_norm": float("nan") if i == 1 else 7.0,
            "epoch": 0.67 * (i + 1),
            "step": 500 * (i + 1),
        }
        for i in range(4)
    ]
    history += [
        {"eval_loss": 0.48, "epoch": 1.0, "step": 751},
        {"eval_loss": 0.47, "epoch": 2.0, "step": 1502},
    ]
    document = {"log_history": sorted(history, key=lambda e: e["step"])}
    (run,) = load_runs(json.dumps(document).encode(), "trainer_state.json")
    assert run.source.granularity == "step"
    assert run.source.left_out == ["val_loss"]
    assert np.isnan(run.metrics["grad_norm"][1])
    assert "loss_nan" not in {f.code for f in diagnose_runs([run]).findings}


def test_validation_evaluated_on_a_cadence_joins_a_per_step_reading() -> None:
    # Wild log w209 (tuning split): a Whisper fine-tune, loss every 25 steps (60 points, 1.4
    # epochs: read per step), eval every 250 (6 points): 0.219 first, then 0.40-0.44 while the
    # training loss ended near 0.18. The evals join the steps they were logged after, the steps
    # between marked not logged, and the run is judged on its evaluations.
    (run,) = load_path(WILD_CORPUS / "w209_whisper-finetune-wer-doubles.json")
    assert run.source.granularity == "step"
    assert run.source.left_out == []
    evaluated = np.flatnonzero(np.isfinite(run.metrics["val_loss"]))
    assert evaluated.tolist() == [9, 19, 29, 39, 49, 59]
    assert len(run.source.not_logged["val_loss"]) == 54
    assert "val_loss, val_wer evaluated at 6 or more of the 60 logged steps" in run.source.aggregated
    findings = {f.code: f for f in diagnose_runs([run]).findings}
    assert findings["overfitting"].evidence["evaluated_epochs"] == evaluated.tolist()
    # Each evaluation is held against the mean of the steps since the one before (0.245 at
    # the first, one batch's 0.167 there), not the single step it follows.
    assert findings["overfitting"].evidence["train_at_onset"] == pytest.approx(0.245, abs=1e-3)
    assert "loss_nan" not in findings


def test_a_printed_trainer_entry_keeps_its_bare_nan() -> None:
    # Wild log w1756 as pasted: the Trainer prints NaN as a bare `nan`, which a Python literal
    # does not know; the gradient norm it logged stays NaN rather than vanishing from the run.
    pasted = (
        b"{'loss': 0.2051, 'grad_norm': nan, 'learning_rate': 9.774074342405685e-06, 'epoch': 0.53}\n"
        b"{'loss': 0.0, 'grad_norm': nan, 'learning_rate': 9.773696745450087e-06, 'epoch': 0.53}\n"
        b"{'loss': 0.0, 'grad_norm': nan, 'learning_rate': 9.773318840518906e-06, 'epoch': 0.53} \n"
    )
    (run,) = load_runs(pasted, "log.txt")
    assert run.metrics["loss"].tolist() == [0.2051, 0.0, 0.0]
    assert np.isnan(run.metrics["grad_norm"]).all()


def test_trainer_state_per_epoch_when_the_run_is_long_enough() -> None:
    history = [{"loss": 2.0 - 0.1 * i, "epoch": (i + 1) / 2, "step": 10 * (i + 1)} for i in range(12)]
    history += [{"eval_loss": 1.5 - 0.1 * e, "epoch": float(e), "step": 20 * e} for e in range(1, 7)]
    history.append({"train_loss": 1.4, "train_runtime": 9.0, "epoch": 6.0, "step": 120})
    (run,) = load_runs(json.dumps({"log_history": history, "num_train_epochs": 6}).encode())
    assert run.source.granularity == "epoch"
    assert run.epochs == 6 >= MIN_EPOCHS
    # Epoch 1 holds the steps at epoch 0.5 and 1.0: the mean of their losses.
    assert run.metrics["loss"][0] == pytest.approx((2.0 + 1.9) / 2)
    assert run.metrics["val_loss"].tolist() == pytest.approx([1.4, 1.3, 1.2, 1.1, 1.0, 0.9])


def test_trainer_state_steps_times_device_batch_is_not_the_sample_count() -> None:
    # 27 optimizer steps an epoch of batch 1 may be 27 x 16 samples (gradient accumulation,
    # several processes): trainer_state.json does not say, so no sample count is inferred.
    history = [{"loss": 2.0 * 0.8**i, "epoch": (i + 1) / 2, "step": 14 * (i + 1)} for i in range(20)]
    document = {"log_history": history, "num_train_epochs": 10, "max_steps": 270, "train_batch_size": 1}
    (run,) = load_runs(json.dumps(document).encode())
    assert run.source.facts.batch_size == 1
    assert run.source.facts.steps_per_epoch is None
    assert run.facts.train_samples is None
    assert "insufficient_data" not in {f.code for f in diagnose_runs([run]).findings}


def test_a_log_history_list_saved_alone_reads_as_the_trainer_state_it_came_from() -> None:
    # json.dump(trainer.state.log_history, f): no trainer_state wrapper around it.
    (run,) = load_path(wild_log("hf-log-history-list-bert-multiclass.json"))
    assert (run.source.format, run.source.granularity) == ("hf_trainer_state", "step")
    assert run.metrics["loss"].tolist() == [0.3741, 0.0621, 0.0366, 0.0247, 0.0244, 0.0073, 0.0144]
    (long,) = load_path(wild_log("hf-log-history-list-thesis-7-epochs.json"))
    assert long.source.granularity == "epoch"
    assert long.metrics["val_loss"][-1] == 4.9375  # evals are validation, not training values


def test_per_epoch_records_with_a_step_column_stay_a_keras_history() -> None:
    records = [{"step": i, "loss": 1.0 / (i + 1), "val_loss": 1.2 / (i + 1)} for i in range(3)]
    (run,) = load_runs(json.dumps(records).encode())
    assert run.source.format == "keras_json"
    assert run.metrics["val_loss"].tolist() == pytest.approx([1.2, 0.6, 0.4])


def test_lightning_epoch_values_win_over_step_values() -> None:
    (run,) = load_path(wild_log("w063_aiops-learning-mnist.csv"))
    assert run.source.format == "lightning_csv"
    assert run.epochs == 10
    # train_loss_epoch, not the mean of train_loss_step rows.
    assert run.metrics["loss"][-1] == pytest.approx(0.021602869033813477)
    assert run.source.aggregated is not None


def test_lightning_step_values_are_averaged_and_a_final_validate_is_skipped() -> None:
    (run,) = load_path(wild_log("w062_cv-image-classification.csv"))
    assert run.epochs == 5
    assert run.metrics["val_loss"][0] == pytest.approx(0.07106363773345947)  # line 36
    # Lines 178-179: a validate and a test call after fit, at an epoch with no training.
    assert run.source.skipped[0].lines == "178-179"
    assert "test_loss" not in run.metrics


def _lightning_csv(per_epoch: list[list[float]]) -> str:
    rows = ["epoch,step,train_loss,val_loss"]
    step = 0
    for epoch, losses in enumerate(per_epoch):
        for loss in losses:
            rows.append(f"{epoch},{step},{loss},")
            step += 1
        rows.append(f"{epoch},{step - 1},,{0.5 - 0.01 * epoch}")
    return "\n".join(rows) + "\n"


def test_lightning_epoch_means_of_steps_carry_their_standard_error() -> None:
    # Four logged steps an epoch: each epoch point is their mean, off by their spread / 2.
    epochs = [[1.0 - 0.05 * e + d for d in (-0.1, 0.1, -0.1, 0.1)] for e in range(6)]
    (run,) = load_runs(_lightning_csv(epochs).encode(), filename="metrics.csv")
    assert run.source.granularity == "epoch"
    assert run.metrics["loss"][0] == pytest.approx(1.0)
    assert run.source.epoch_mean_noise["loss"] == pytest.approx(np.std([-0.1, 0.1, -0.1, 0.1], ddof=1) / 2)
    assert not run.source.single_steps("loss")
    # One logged step an epoch (log_every_n_steps above the epoch's steps): each point is a batch.
    (run,) = load_runs(_lightning_csv([[1.0 - 0.05 * e] for e in range(6)]).encode(), filename="metrics.csv")
    assert run.source.epoch_mean_noise["loss"] == 0.0
    assert run.source.single_steps("loss")
    # Lightning's own epoch value (train_loss_epoch) is no mean of the logged steps: no noise said.
    (run,) = load_path(wild_log("w063_aiops-learning-mnist.csv"))
    assert "loss" not in run.source.epoch_mean_noise


def test_lightning_validation_steps_without_an_epoch_leave_the_run_per_epoch() -> None:
    # `val_loss_step` rows with a step and no epoch between epoch rows that log `val_loss_epoch`
    # and `train_loss_epoch`: 25 epochs, not the 6 training steps logged among them.
    (run,) = load_path(wild_log("w180_iris-lightning-steady.csv"))
    assert (run.epochs, run.source.granularity) == (25, "epoch")
    assert run.metrics["loss"][0] == pytest.approx(1.0731912851333618)
    assert run.source.skipped[0].lines == "2-4"
    assert "without its epoch" in run.source.skipped[0].reason


def _lightning_epochs(epochs: int, row: str) -> str:
    return "".join(row.format(epoch=e, step=10 * e + 9, loss=1.0 / (e + 1)) for e in range(epochs))


def test_lightning_lr_monitor_rows_join_the_next_training_row_not_nan_losses() -> None:
    # LearningRateMonitor writes `lr-SGD` on a row of its own, without an epoch (w364's shape).
    rows = _lightning_epochs(MIN_EPOCHS, "0.1,{step},,\n,{step},{loss},{epoch}\n")
    (run,) = load_runs(("lr-SGD,step,train_loss,epoch\n" + rows).encode(), "metrics.csv")
    assert run.source.granularity == "epoch"
    assert run.epochs == MIN_EPOCHS
    assert not np.isnan(run.metrics["loss"]).any()
    assert run.metrics["loss"][-1] == pytest.approx(1.0 / MIN_EPOCHS)
    assert run.metrics["learning_rate"].tolist() == [0.1] * MIN_EPOCHS


def test_lightning_rows_without_a_step_column_are_steps_in_their_order() -> None:
    # test-tube's metrics.csv: a created_at timestamp, no step; a validation row per epoch (w386).
    train = "{loss},{epoch},2019-12-09 21:16:37.257266,\n"
    rows = "".join(
        train.format(loss=loss, epoch=e) * 2 + f",{e},2019-12-09 21:17:18.737603,{0.5 + e}\n"
        for e, loss in enumerate([0.9, 0.7, 0.5, 0.3, 0.1])
    )
    (run,) = load_runs(("train_loss,epoch,created_at,val_loss\n" + rows).encode(), "metrics.csv")
    assert run.source.format == "lightning_csv"
    assert run.metrics["loss"].tolist() == pytest.approx([0.9, 0.7, 0.5, 0.3, 0.1])
    assert run.metrics["val_loss"].tolist() == pytest.approx([0.5, 1.5, 2.5, 3.5, 4.5])


def test_a_csvlogger_file_whose_rows_repeat_the_epoch_but_fill_every_cell_is_no_step_log() -> None:
    content = "epoch,loss,val_loss\n0,0.7,0.4\n0,0.2,0.2\n"
    assert all(run.source.format != "lightning_csv" for run in load_runs(content.encode(), "log.csv"))


def test_wandb_chart_export_is_a_run_per_column() -> None:
    runs = load_path(wild_log("wandb-nanogpt-train-loss-8-runs.csv"))
    assert len(runs) == 8
    assert all(run.source.granularity == "step" for run in runs)
    assert all(list(run.metrics) == ["loss"] for run in runs)


def test_wandb_chart_export_against_an_epoch_axis_reads_epochs_without_wandb_bookkeeping() -> None:
    runs = load_path(wild_log("wandb-chart-epoch-axis-4-runs-multi-view.csv"))
    assert [run.epochs for run in runs] == [10, 9, 8, 10]
    assert all(run.source.granularity == "epoch" for run in runs)
    assert all(list(run.metrics) == ["loss"] for run in runs)  # `epoch/loss`; `_step` is no curve


def test_tensorboard_scalar_download_is_read_per_epoch_or_per_logged_step() -> None:
    (epochs,) = load_path(wild_log("tb-scalars-echarts-train_loss.csv"))
    assert (epochs.source.format, epochs.source.granularity) == ("tensorboard_csv", "epoch")
    assert list(epochs.metrics) == ["loss"]  # the metric is named by the file
    (logged,) = load_path(wild_log("tb-scalars-unet-logged-steps-train_loss.csv"))
    assert logged.source.granularity == "step"  # steps 56, 113, ...: points, not epochs
    # A step that does not grow is another run writing to the same log.
    restarted = "Wall time,Step,Value\n" + "".join(f"1.0,{s},{1 / (s + 1)}\n" for s in [0, 1, 2, 0, 1])
    assert [run.epochs for run in load_runs(restarted.encode(), "loss.csv")] == [3, 2]


@pytest.mark.parametrize(
    ("filename", "metric"),
    [
        ("run-validation-tag-epoch_loss.csv", "val_loss"),
        ("run_train-tag-epoch_accuracy.csv", "accuracy"),
        ("run-.-tag-pred_age_loss.csv", "pred_age_loss"),
        ("valid_loss.csv", "val_loss"),
        ("scalars.csv", "loss"),
        ("", "loss"),
    ],
)
def test_a_scalar_download_is_named_by_its_file(filename: str, metric: str) -> None:
    assert scalar_name(filename) == metric


def test_notebook_outputs_read_as_the_console_log_they_printed() -> None:
    first, second = load_path(wild_log("nb-codveda-keras3-ansi-streams.ipynb"))
    assert first.source.format == "jupyter_notebook"
    assert (first.epochs, second.epochs) == (16, 14)
    # The `399/399 ... loss` line before the callback messages has no val_ metrics; the
    # epoch's result is the later line that has them.
    assert np.isfinite(first.metrics["val_loss"]).all()
    assert first.source.facts.steps_per_epoch == 399


def _text(run) -> str:
    from convdiag.report.text import render_text

    return render_text(diagnose_runs([run]))


def test_lightning_rows_follow_the_csv_rule_for_empty_cells() -> None:
    # Interleaved rows: an epoch without a validation row has no val_loss (not logged, no NaN);
    # a column no row fills is pandas' NaN, as in a table of epochs.
    text = (
        "epoch,step,train_loss,val_loss,grad_norm\n"
        + "".join(f"{e},{s},{1 - 0.1 * e},,\n" for e in range(6) for s in (e * 2, e * 2 + 1))
        + "".join(f"{e},{e * 2 + 1},,{1.1 - 0.1 * e},\n" for e in range(6) if e != 3)
    )
    (run,) = load_runs(text.encode(), "metrics.csv")
    assert run.epochs == 6
    assert run.source.not_logged == {"val_loss": [3]}
    assert np.isnan(run.metrics["grad_norm"]).all()


def test_lightning_last_epoch_cut_before_its_epoch_values_is_left_out() -> None:
    # HadisBn/fire's metrics.csv (w2144): epochs 0-68 each end on `val_f1,val_loss` and
    # `train_f1_epoch,train_loss_epoch` rows; epoch 69 stops after 5 step rows (lines 480-484):
    #   68,17042,,,,,0.530223548412323,0.6099886298179626   (CRLF line ends as committed)
    #   68,17042,0.5125027298927307,,0.5187476873397827,,,
    #   69,17049,,0.6083333492279053,,0.3909027576446533,,
    (run,) = load_path(wild_log("lightning-last-epoch-cut-fire-f1-crlf.csv"))
    assert (run.epochs, run.source.granularity) == (69, "epoch")
    assert run.metrics["loss"][-1] == pytest.approx(0.5187476873397827)
    assert run.metrics["val_loss"][-1] == pytest.approx(0.6099886298179626)
    assert run.source.skipped[-1].lines == "480-484"
    assert "last epoch" in run.source.skipped[-1].reason
    # A last epoch that logs only steps, as all the others do, is an epoch.
    rows = "".join(f"{e},{10 * e + s},{1.0 - 0.1 * e}\n" for e in range(6) for s in range(2))
    (run,) = load_runs(("epoch,step,train_loss\n" + rows).encode(), filename="metrics.csv")
    assert run.epochs == 6


def test_lightning_columns_under_one_namespace_are_read_without_it() -> None:
    # FranciscoREchevarria/Avance-5's metrics.csv (w2150), every metric logged as
    # `self.log("finetuning/...")`:
    #   epoch,finetuning/train_acc_epoch,finetuning/train_acc_step,finetuning/train_loss_epoch,
    #   finetuning/train_loss_step,finetuning/val_acc,finetuning/val_loss,step
    (run,) = load_path(wild_log("lightning-namespace-finetuning-binary-ln2.csv"))
    assert set(run.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert run.epochs == 6
    assert run.metrics["loss"][-1] == pytest.approx(0.693462610244751)
    # `loss/train`, `loss/val` name the loss already: the shared `loss/` is no namespace.
    rows = "".join(f"{e},{e},{1.0 - 0.1 * e},{1.1 - 0.1 * e}\n" for e in range(6))
    (run,) = load_runs(("epoch,step,loss/train,loss/val\n" + rows).encode(), filename="metrics.csv")
    assert run.metrics["val_loss"][-1] == pytest.approx(0.6)


def test_a_vae_elbo_loss_beside_its_terms_is_the_loss() -> None:
    # Enderlogic/batch_effect's metrics.csv (w2143): the negative ELBO with its reconstruction
    # and two KL terms, `train_elbo_loss,train_kld_content,train_kld_style,train_recon_loss`
    # every 50 steps, `val_elbo_loss` ... every 20 epochs.
    (run,) = load_path(wild_log("lightning-vae-elbo-loss-batch-effect.csv"))
    assert run.epochs == 100
    assert "recon_loss" in run.metrics
    assert run.metrics["loss"][0] == pytest.approx(164.7, abs=0.1)
    assert np.nanmin(run.metrics["val_loss"]) == pytest.approx(4.22, abs=0.01)


def test_json_lines_of_trainer_records_are_a_log_history() -> None:
    # ms-swift's logging.jsonl pasted in modelscope/ms-swift#1299 (w2299), a record a line:
    #   {"loss": 5.28112936, "acc": 0.27560034, "grad_norm": 35.5, ..., "epoch": 0.00950119, "global_step": 1}
    #   {"eval_loss": 2.72822046, "eval_acc": 0.46707317, ..., "epoch": 0.9976247, "global_step": 105}
    (run,) = load_path(wild_log("swift-jsonl-florence2-finetune-2ep.txt"))
    assert run.source.format == "hf_trainer_state"
    assert run.epochs == 5  # 5 logged training steps over 2 epochs, read per step
    assert run.metrics["loss"][-1] == pytest.approx(2.66033661)
    assert "global_step" not in run.metrics
    # A line that is no JSON object leaves the text to the other readers.
    with pytest.raises(HistoryError):
        load_runs(b'{"loss": 1.0, "global_step": 1}\nloss went down\n', "log.txt")
