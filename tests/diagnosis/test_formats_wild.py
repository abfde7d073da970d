"""Training logs from public projects, read as they were pasted (tests/fixtures/formats/wild,
SOURCES.md there names each source). A log counts as read only when every run's epoch count
and the last training loss match what manifest.json records, read by hand from the file."""

from __future__ import annotations

import json
import math
import textwrap

import numpy as np
import pytest

from diagnosis.engine import diagnose_runs
from diagnosis.formats import load_path, load_runs
from diagnosis.formats.columns import canonical_name
from diagnosis.history import HistoryError, TrainingHistory
from tests.diagnosis.writers import WILD_CORPUS, WILD_FIXTURES, WILD_MANIFEST, wild_log

MANIFEST = WILD_MANIFEST


READABLE = sorted(name for name, entry in MANIFEST.items() if "error" not in entry)
REFUSED = sorted(name for name, entry in MANIFEST.items() if "error" in entry)


@pytest.mark.parametrize("name", READABLE)
def test_wild_log_reads_as_its_source_shows(name: str) -> None:
    expected = MANIFEST[name]
    runs = load_path(wild_log(name))
    assert [run.epochs for run in runs] == expected["epochs"]
    last = float(runs[-1].metrics["loss"][-1])
    if expected["last_loss"] is None:
        assert math.isnan(last)
    else:
        assert last == pytest.approx(expected["last_loss"], rel=1e-9)


@pytest.mark.parametrize("name", REFUSED)
def test_wild_files_that_hold_no_history_are_refused_with_what_they_are(name: str) -> None:
    with pytest.raises(HistoryError, match=MANIFEST[name]["error"]):
        load_path(wild_log(name))


def test_every_wild_log_has_a_manifest_entry() -> None:
    logs = {path.name for path in WILD_FIXTURES.iterdir() if path.name not in {"manifest.json", "SOURCES.md"}}
    assert logs == {name for name, entry in MANIFEST.items() if not entry.get("corpus")}


def test_corpus_logs_read_here_are_tuning_logs() -> None:
    """A wild-corpus log read by these tests is one the engine may see: never a held-out or
    pending one (those are scored once, by bench_wild)."""
    splits = {
        log["file"]: log["split"] for log in json.loads((WILD_CORPUS / "manifest.json").read_text())["logs"]
    }
    for name, entry in MANIFEST.items():
        if entry.get("corpus"):
            assert splits[name] not in {"holdout", "pending"}, name


def test_an_interrupted_epoch_is_reported_as_skipped() -> None:
    (run,) = load_path(wild_log("35_cifar10-deep-mlp-stuck-ln10-interrupted.txt"))
    assert run.source.skipped[0].lines == "28"
    assert "epoch 14/20" in run.source.skipped[0].reason
    # And the diagnosis says so too, where a user reads it.
    assert diagnose_runs([run]).run.source.skipped_lines == 1


def test_prints_after_the_last_epoch_are_skipped_not_read() -> None:
    (run,) = load_path(wild_log("21_cifar100-cnn-softmax-early-overfit-onset.txt"))
    assert run.epochs == 10
    assert run.source.skipped[0].lines == "22-25"  # Accuracy/Precision/Recall/F1 prints
    assert set(run.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_the_input_says_num_samples_and_steps_for_free() -> None:
    (old,) = load_path(wild_log("48_keras-issue4662-val-acc-frozen-majority-EXCERPT.txt"))
    assert (old.source.facts.num_samples, old.source.facts.val_samples) == (2086, 2084)
    assert old.metadata.num_samples == 2086  # the engine's rules read it from the metadata
    assert old.source.facts.steps_per_epoch is None  # Keras 1 counts samples, not steps
    (new,) = load_path(wild_log("39_split-model-inf-loss-early-then-recovers-EXCERPT.txt"))
    assert new.source.facts.steps_per_epoch == 211
    assert new.metadata.num_samples is None


def test_a_logged_learning_rate_is_a_fact_of_the_input() -> None:
    (run,) = load_path(wild_log("30_blood-group-reduce-lr-healthy.csv"))
    assert run.source.facts.learning_rate == pytest.approx(0.001)
    assert run.metadata.learning_rate == pytest.approx(0.001)
    assert diagnose_runs([run]).run.lr_schedule  # the schedule the column shows


def test_csv_without_epoch_column_and_with_title_line() -> None:
    (plain,) = load_path(wild_log("46_drowsiness-tiny-data-near-chance-no-epoch-col.csv"))
    assert plain.epochs == 39
    (titled,) = load_path(wild_log("08_speech-digit-semicolon-mild-overfit.csv"))
    assert list(titled.metrics) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert titled.metrics["val_loss"][-1] == pytest.approx(0.17382508516311646)


def test_inf_losses_are_data() -> None:
    (run,) = load_path(wild_log("39_split-model-inf-loss-early-then-recovers-EXCERPT.txt"))
    assert np.isinf(run.metrics["loss"][:8]).all()
    assert run.metrics["loss"][8] == pytest.approx(1.1602)


@pytest.mark.parametrize(
    ("name", "names", "column"),
    [
        ("w164_vision-based-autonomous-driv.csv", {"loss", "val_loss", "steer_mae"}, "phase"),
        # A README's markdown table: `★ Best`, `—`, `⚠ Early Stop` under `Status`.
        ("md-table-lone-rmse-avito-results.md", {"loss", "val_loss"}, "Status"),
    ],
)
def test_a_text_column_is_left_out_and_said(name: str, names: set[str], column: str) -> None:
    (run,) = load_path(wild_log(name))
    assert set(run.metrics) == names
    assert f"column '{column}' holds text" in run.source.skipped[0].reason


def test_a_fine_tune_saved_under_a_prefix_is_a_second_run() -> None:
    first, second = load_path(wild_log("w119_plant-nutrient-classifier.json"))
    assert (first.epochs, second.epochs) == (9, 5)
    assert set(second.metrics) == {"accuracy", "val_accuracy", "loss", "val_loss"}
    assert "test_loss" not in first.metrics  # a final score beside the curves, not a curve


def test_settings_and_names_saved_beside_the_curves_are_left_out() -> None:
    # timestamp, backbone, class names, phase starts and names, a test score: none a curve.
    (run,) = load_path(wild_log("w132_efficientnet-b0-for-emotion.json"))
    assert run.epochs == 55
    assert set(run.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    # The run's settings as an object (`config: {"batch_size": 128, ...}`) are no curve either.
    (lip,) = load_path(wild_log("w893_lip-reading-ctc-wer.json"))
    assert "config" not in lip.metrics
    assert lip.metrics["val_loss"].size == 30


def test_a_printed_history_saved_as_a_json_string_is_unwrapped() -> None:
    (run,) = load_path(wild_log("w897_agrohealth-repr-in-json-string.json"))
    assert set(run.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert load_runs(b'"[0.9, 0.5, nan]"', "history.json")[0].epochs == 3  # a bare list of losses, too
    # A JSON string that holds no history keeps the error that says what was expected.
    with pytest.raises(HistoryError):
        load_runs(b'"hello"', "history.json")


def test_a_hand_written_loops_epoch_blocks_read_with_the_split_each_line_names() -> None:
    # `Epoch k/49`, `----------`, `train Loss: x Acc: y`, `val Loss: x Acc: y`, then a summary
    # (`Best val Acc: 0.472222`) after the last epoch, which is no epoch's metric.
    (run,) = load_path(wild_log("epoch-blocks-strip-ai-transfer-learning.txt"))
    assert set(run.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert run.metrics["val_accuracy"][[0, -1]].tolist() == [0.1875, 0.4722]
    # `acc: tensor(0.3262, device='cuda:0', ...)` is the value the tensor holds; `cuda:0` is none.
    (blocks,) = load_path(wild_log("epoch-blocks-helping-hands-resnet18-md.md"))
    assert set(blocks.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert blocks.metrics["accuracy"][0] == 0.3262
    # A Keras log cut off before any epoch finished is still refused, not read from its bars.
    with pytest.raises(HistoryError, match="no finished epoch"):
        load_runs(b"Epoch 1/2\n1/3 [=====>....] - ETA: 2s - loss: 0.7012 - acc: 0.5000\n")


SHIPS = "10_ships-cnn-adamax-stuck-ln10.txt"  # an indented paste of a Keras 2 log


@pytest.mark.parametrize(
    "wrap",
    [
        lambda line: "> " + line.strip(),  # a markdown blockquote
        lambda line: "# " + line.strip(),  # commented out under the code that printed it
        lambda line: "\t>> " + line,  # a quote of a quote, indented
        lambda line: "<pre>" + line.strip() + "</pre>",
    ],
    ids=["blockquote", "comment", "nested-quote", "html-pre"],
)
def test_a_real_log_reads_the_same_however_it_is_wrapped(wrap) -> None:
    # Transformations of a real log (the wrappers seen in the wild), not logs of their own.
    original = (wild_log(SHIPS)).read_text()
    (plain,) = load_path(wild_log(SHIPS))
    (wrapped,) = load_runs("\n".join(wrap(line) for line in original.splitlines()).encode())
    assert wrapped.epochs == plain.epochs == 10
    for name, values in plain.metrics.items():
        assert wrapped.metrics[name].tolist() == values.tolist()


def test_warnings_and_timestamps_glued_onto_numbers_are_cut_off() -> None:
    # What a Keras 3 run under XLA and a TF log line do to a progress line when stderr and
    # stdout share a terminal: the warning starts right after the last number.
    log = (
        "Epoch 1/2\n"
        "100/100 ━━━━━━━━━━━━━━━━━━━━ 5s 9ms/step - accuracy: 0.50 - loss: 0.6931"
        "I0000 00:00:1718367845.123456  1234 device_compiler.h:188] Compiled cluster using XLA!\n"
        "100/100 ━━━━━━━━━━━━━━━━━━━━ 6s 10ms/step - accuracy: 0.51 - loss: 0.6930 - val_loss: 0.6929"
        "2024-06-14 12:00:01.123456: W tensorflow/core/kernels/data/cache_dataset_ops.cc:858] The calling"
        " iterator did not fully read the dataset\n"
        "Epoch 2/2\n"
        "100/100 ━━━━━━━━━━━━━━━━━━━━ 1s 9ms/step - accuracy: 0.52 - loss: 0.6925 - val_loss: 0.6920"
        "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.0005.\n"
    )
    (run,) = load_runs(log.encode())
    assert run.metrics["loss"].tolist() == [0.6930, 0.6925]
    assert run.metrics["val_loss"].tolist() == [0.6929, 0.6920]


def test_what_a_carriage_return_left_of_a_checkpoint_message_is_cut_off() -> None:
    # ModelCheckpoint's `Epoch 00001: val_loss improved from inf to 0.00069, saving model ...`
    # with its start overwritten by the progress line, as an R keras console shows it.
    log = (
        "Epoch 1/3\n"
        "100/100 [==============================] - 17s 83us/step - loss: 0.0036"
        " - val_loss: 6.8522e-04d from inf to 0.00069, saving model to model.hdf5\n"
        "Epoch 2/3\n"
        "100/100 [==============================] - 17s 86us/step - loss: 4.7817e-04"
        " - val_loss: 4.7266e-04oved from 0.00069 to 0.00047, saving model to model.hdf5\n"
        "Epoch 3/3\n"
        "100/100 [==============================] - 17s 86us/step - loss: 3.7753e-04"
        " - val_loss: 4.2430e-04 improve\n"
    )
    (run,) = load_runs(log.encode())
    assert run.metrics["loss"].tolist() == [0.0036, 4.7817e-04, 3.7753e-04]
    assert run.metrics["val_loss"].tolist() == [6.8522e-04, 4.7266e-04, 4.2430e-04]


def test_a_header_joined_to_its_padded_line_is_a_line_of_its_own() -> None:
    # keras-yolo3#284 (w1400): the paste lost some newlines, the terminal's padding kept;
    # `Epoch 2/50`, spaces, then its bar on one line, and `Epoch 4/50` after epoch 3's numbers.
    (run,) = load_path(wild_log("w1400_keras-yolo3-issue284-66-samples-10-epochs-falling.txt"))
    assert run.metrics["loss"].tolist()[:4] == [7732.9583, 6053.7227, 4689.0405, 3626.1056]
    assert run.epochs == 10


def test_checkpoint_messages_between_headerless_epochs_are_one_run() -> None:
    # datlife/yolov2#6 (w1403): no `Epoch k/N` headers, ModelCheckpoint's message glued onto
    # each epoch's last redraw; the messages are about the run, not new runs.
    (run,) = load_path(wild_log("w1403_yolov2-issue6-val-loss-up-after-epoch-2.txt"))
    assert run.metrics["val_loss"].tolist() == [1.5564, 1.5285, 1.5510, 1.5861]


@pytest.mark.parametrize(
    ("name", "val_loss"),
    [
        ("w1435_pytorch-pose-issue33-val-loss-0p31-to-4p35-acc-zero.txt", [0.3065, 1.0547, 1.7841, 4.3475]),
        ("pytorch-pose-bar-pairs-stuck-issue37-EXCERPT.txt", [0.0030, 0.0030, 0.0030, 0.0030]),
    ],
)
def test_a_training_bar_then_a_validation_bar_make_an_epoch(name: str, val_loss: list[float]) -> None:
    # pytorch-pose's `progress` bars: under each `Epoch: N | LR: ...` line the first finished bar
    # is the training's, the second the validation's; `Total: 0:20:24` is no metric.
    (run,) = load_path(wild_log(name))
    assert set(run.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert run.metrics["val_loss"].tolist() == val_loss


def test_each_fit_has_its_own_steps_per_epoch() -> None:
    runs = load_path(wild_log("ttukei-tf2-verbose2-5-fits.txt"))
    assert [run.source.facts.steps_per_epoch for run in runs] == [128, 7, 7, 7, 4]


@pytest.mark.parametrize(
    ("name", "epoch", "accuracy"),
    [
        # Two unrelated notebooks (learn-co's regularization lab, codebasics' tutorial) whose
        # stream shows an epoch's ETA state and final state flattened onto one line.
        # The ETA states read acc 0.675 and 0.63.
        ("w615_learnco-regularization-l1.txt", 29, 0.6719),
        ("w636_codebasics-single-neuron-slow-706ep.txt", 265, 0.6364),
    ],
)
def test_an_eta_state_flattened_before_the_final_state_reads_the_final_one(
    name: str, epoch: int, accuracy: float
) -> None:
    (run,) = load_path(WILD_CORPUS / name)
    assert float(run.metrics["accuracy"][epoch - 1]) == accuracy
    assert not any(f"epoch {epoch}/" in skip.reason for skip in run.source.skipped)


def test_epoch_lines_without_a_separator_after_the_number_are_read() -> None:
    # Two unrelated loops: an absl log line (snap-stanford/distance-encoding#6), `epoch 136 best
    # test acc: 0.9120, train loss: 0.5042; train acc: 0.8590 val acc: 0.8735 test acc: ...`,
    # and Kipf's GCN print (yao8839836/text_gcn#95), `Epoch: 0153 train_loss= 0.00124 ...`.
    (absl,) = load_path(WILD_CORPUS / "w653_distance-encoding-6-train-acc-swings.txt")
    assert absl.epochs == 8
    assert absl.metrics["loss"][[0, -1]].tolist() == [0.5042, 0.3932]
    # Fields with only spaces between them are read, and `test acc` beside `val acc` is no
    # validation split.
    assert absl.metrics["val_accuracy"][0] == 0.8735
    assert absl.metrics["test_accuracy"][0] == 0.8580
    (gcn,) = load_path(WILD_CORPUS / "w668_text-gcn-95-val-nan.txt")
    assert gcn.epochs == 10
    assert gcn.metrics["loss"][-1] == 0.00124
    assert np.isnan(gcn.metrics["val_loss"]).all()
    assert gcn.metrics["val_accuracy"][-1] == 0.06101


def test_a_skorch_history_is_its_epoch_values_without_batches_and_flags() -> None:
    # net.save_params(f_history=...): a record per epoch, each holding its batches' losses.
    (run,) = load_path(wild_log("skorch-history-eeg-checkpoint.json"))
    assert run.source.format == "skorch_history"
    assert run.epochs == 56
    assert set(run.metrics) == {"loss", "val_loss", "val_accuracy"}  # no dur, counts or *_best


def test_per_epoch_records_leave_out_fields_that_hold_no_number() -> None:
    records = [{"epoch": e, "phase": "warmup" if e < 2 else "main", "loss": 1.0 / e} for e in (1, 2, 3)]
    (run,) = load_runs(json.dumps(records).encode())
    assert set(run.metrics) == {"loss"}
    with pytest.raises(HistoryError, match="non-numeric"):  # a curve with a bad value is reported
        load_runs(json.dumps([{"loss": 0.5}, {"loss": "n/a"}]).encode())


@pytest.mark.parametrize(
    ("name", "steps"),
    [
        ("keras1-fit-generator-samples-past-total-carnd.txt", None),
        ("w657_pml3-celeba-smile-cnn-augmented.txt", 500),
    ],
)
def test_a_step_counter_past_its_total_still_finishes_the_epoch(name: str, steps: int | None) -> None:
    # `6464/6428 [===...] - 54s - loss: ...` (Keras 1 overshooting samples_per_epoch) and
    # `500/32 [===...]` (TF 2.0-2.1 resetting the total to the validation steps) are finished bars.
    (run,) = load_path(wild_log(name))
    assert run.source.skipped_lines == 0
    assert run.source.facts.steps_per_epoch == steps  # the steps run, not the wrong total


def test_a_redraw_glued_onto_a_counter_is_not_a_counter_past_its_total() -> None:
    # Keras 3 shows no `ETA:` before the last step: the count alone says the bar is not done.
    log = (
        "Epoch 1/1\n"
        " 32/100 \u2501\u2501 1s 9ms/step - loss: 1.2000e-0464/100 \u2501\u2501 0s 9ms/step - loss: 1.1e-04\n"
    )
    with pytest.raises(HistoryError, match="no finished epoch"):
        load_runs(log.encode())


def test_records_without_numbers_are_refused_with_what_was_expected() -> None:
    with pytest.raises(HistoryError, match=r"expected a record per epoch such as \[\{\"loss\""):
        load_runs(b'[{"name": "a"}, {"name": "b"}]', "x.json")


@pytest.mark.parametrize(
    ("name", "epochs"),
    [
        ("w804_numpy-cnn-fashion-mnist-3-epochs.txt", 3),  # `Epoch 1/3 | Step 100/1000 | Loss: ..`
        ("w834_epgn-zero-shot-nan-from-start.txt", 2),  # `> [epoch 1/15, episode 50/100] => loss:nan`
        ("w877_safety-classifier-finetune-steps.txt", 3),  # `epoch=1 step=200 ..`, `epoch_end=1 ..`
    ],
)
def test_step_lines_that_repeat_the_epoch_are_one_epoch(name: str, epochs: int) -> None:
    (run,) = load_path(wild_log(name))
    assert run.epochs == epochs
    assert "step" not in run.metrics  # the counter is no metric
    assert run.source.aggregated is not None
    assert "last logged step" in run.source.aggregated


def test_epoch_lines_that_repeat_without_a_step_counter_are_still_new_runs() -> None:
    # Once the count went on (epoch 2), an epoch that comes again restarts it: a new fit.
    log = b"Epoch 1: loss: 0.9\nEpoch 2: loss: 0.7\nEpoch 1: loss: 0.8\nEpoch 1: loss: 0.6\n"
    assert [run.epochs for run in load_runs(log)] == [2, 1, 1]
    # `Epoch 1/1` again and again is `fit(epochs=1)` called in a loop: one run of its epochs.
    (run,) = load_runs(b"Epoch 1/1: loss: 0.5\nEpoch 1/1: loss: 0.4\nEpoch 1/1: loss: 0.3\n")
    assert (run.epochs, run.source.granularity) == (3, "epoch")


@pytest.mark.parametrize(
    ("name", "first"),
    [
        # wav2letter reports every few hundred updates with the epoch and no step counter.
        ("w1443_wav2letter-issue179-ctc-loss-swings-ter-100.txt", [91.69394, 89.60210, 78.05183]),
        # DeepDanbooru's `Epoch[1] Loss=0.009825, P=..., ETA = 2021-09-12 16:55:43`.
        ("deepdanbooru-epoch-1-reports-issue42-EXCERPT.txt", [0.009825, 0.009284, 0.009580]),
    ],
)
def test_epoch_lines_that_never_leave_their_epoch_are_its_steps(name: str, first: list[float]) -> None:
    # Lines that all name epoch 1 are points of epoch 1, not as many fits of one epoch.
    (run,) = load_path(wild_log(name))
    assert run.source.granularity == "step"
    assert run.metrics["loss"].tolist()[:3] == first
    assert run.epochs == MANIFEST[name]["epochs"][0]


@pytest.mark.parametrize(
    ("name", "skipped"),
    [
        # An issue's paste (divamgupta/image-segmentation-keras#43): the last `Epoch 1/1` has no
        # line after it, and the partial read says so.
        ("w805_segnet-fit-loop-nan.txt", "epoch 1/1 has no finished progress line"),
        # A tutorial's stateful LSTM (apachecn/ml-mastery-zh): two score prints follow.
        ("mlm-zh-stateful-lstm-fit-loop-epoch-1-of-1.md", "after the epoch's result"),
    ],
)
def test_fit_called_in_a_loop_an_epoch_a_call_is_one_run(name: str, skipped: str) -> None:
    (run,) = load_path(wild_log(name))
    assert run.epochs == MANIFEST[name]["epochs"][0]
    assert skipped in run.source.skipped[-1].reason


def test_a_count_that_goes_on_under_a_new_total_continues_the_run() -> None:
    # rstudio/ai-blog's skip-gram post: `Epoch 1/1`, then `Epoch 2/5` .. `Epoch 5/5`.
    (run,) = load_path(wild_log("w880_rstudio-blog-skipgram-loss-rising.txt"))
    assert run.metrics["loss"].tolist() == [0.3749, 0.3548, 0.3630, 0.3737, 0.3823]


def test_a_bar_drawn_full_is_a_finished_epoch_whatever_its_cut_count_says() -> None:
    # keras-team/keras#13006 starts mid-counter: `00/100 [=====...] - 11s ...` is epoch 1.
    (run,) = load_path(wild_log("w624_keras-13006-acc-half-loss-7.97.txt"))
    assert run.metrics["loss"][0] == 7.9406
    assert run.source.facts.steps_per_epoch == 100
    # A bar with its head still drawn is not finished, whatever precedes it.
    with pytest.raises(HistoryError, match="no finished epoch"):
        load_runs(b"Epoch 1/2\n00/100 [=============>................] - 11s - loss: 7.9\n")


@pytest.mark.parametrize(
    ("name", "first", "names"),
    [
        # tqdm's Keras callback under Python logging (CTMX-Zhen/pokemon_classification): the
        # batch bars between epochs are no epochs, and the bar's closing repeat is no 11th.
        ("w876_pokemon-tqdm-logging-overfit.txt", 4.82, {"loss", "accuracy", "val_loss", "val_accuracy"}),
        # pykeen's training loop (a lab's docstring): `prev_loss` is the bar's own field.
        ("pykeen-transe-nations-tqdm-epochs-EXCERPT.txt", 1.38, {"loss", "prev_loss"}),
    ],
)
def test_a_tqdm_bar_over_epochs_reads_an_epoch_a_count(name: str, first: float, names: set[str]) -> None:
    (run,) = load_path(wild_log(name))
    assert run.source.format == "tqdm_epochs"
    assert run.metrics["loss"][0] == first
    assert set(run.metrics) == names


def test_a_tqdm_bar_over_batches_or_items_is_no_epoch_and_a_new_bar_a_new_run() -> None:
    bars = (
        "100%|##| 50/50 [00:02<00:00, 20.1batch/s, loss=0.5]\n100%|##| 3/3 [00:09<00:00, 3.1it/s, loss=0.4]\n"
    )
    with pytest.raises(HistoryError, match="found no training epochs"):
        load_runs(bars.encode())
    log = "".join(f" {k}/{n} [00:0{k}<00:00, 1.00s/epoch, loss={k}.0]\n" for k, n in [(1, 2), (2, 2), (1, 2)])
    assert [run.metrics["loss"].tolist() for run in load_runs(log.encode())] == [[1.0, 2.0], [1.0]]


@pytest.mark.parametrize(
    ("name", "names"),
    [
        # A PyTorch loop's lists (IbrahimEmad11/MammoDetect): `train_loss_history`, ...
        ("w666_mammodetect-custom-history-keys.json", {"loss", "accuracy", "val_loss", "val_accuracy"}),
        # A training report's metrics JSON: text, settings and final scores beside the curve.
        ("alm-projector-metrics-train-loss-history.json", {"loss"}),
    ],
)
def test_curves_saved_under_their_name_and_history_are_the_curves(name: str, names: set[str]) -> None:
    (run,) = load_path(wild_log(name))
    assert set(run.metrics) == names
    assert run.epochs == MANIFEST[name]["epochs"][0]


def test_epoch_lines_run_together_are_cut_before_each_epoch() -> None:
    # tensorflow/tensorflow#26543, a comment sent by e-mail: `Epoch #1 Loss: 0.549081 Accuracy:
    # 0.718750 Epoch #2 Loss: 0.430481` then `Accuracy: 0.822917 Epoch #3 ...`.
    (mail,) = load_path(wild_log("w816_tf2-alpha-nan-third-epoch-email.txt"))
    assert mail.metrics["loss"][:2].tolist() == [0.549081, 0.430481]
    assert mail.metrics["accuracy"].tolist() == [0.71875, 0.822917, 0.166667, 0.166667, 0.166667]
    # Transformations of an unrelated real log (w827, a HAR CNN's `Epoch:  0  Training Loss:
    # 10.845988  Training Accuracy:  0.054814555` lines): what `print(..., end=" ")` makes of
    # its loop, and an e-mail client's re-wrap at 72 columns (a field's value on the next line).
    original = (WILD_CORPUS / "w827_har-cnn-loss-frozen-10.85.txt").read_text()
    (plain,) = load_runs(original.encode())
    flowed = " ".join(line.strip() for line in original.splitlines() if line.startswith("Epoch"))
    for text in (flowed, "\n".join(textwrap.wrap(flowed, 72))):
        (run,) = load_runs(text.encode())
        assert run.epochs == plain.epochs == 8
        for name, values in plain.metrics.items():
            assert run.metrics[name].tolist() == values.tolist()


def test_a_best_epoch_among_an_epochs_fields_is_no_epoch_of_its_own() -> None:
    log = b"Epoch 4: loss: 0.5, best epoch: 3, best val: 0.4\nEpoch 5: loss: 0.4, best epoch: 3\n"
    (run,) = load_runs(log)
    assert run.metrics["loss"].tolist() == [0.5, 0.4]


def test_a_history_kept_under_metrics_beside_an_epochs_list_is_the_curves() -> None:
    # hoidn/PtychoPINN's history.json: `{"epochs": [0.0, ...], "metrics": {"loss": [...], ...}}`.
    (run,) = load_path(wild_log("w980_ptycho-pinn-negative-nll-nan.json"))
    assert run.epochs == 5
    assert {"loss", "val_loss", "learning_rate"} <= set(run.metrics)
    assert run.metrics["loss"][0] == -3863464.0
    # A dict with a loss of its own is read at its own level, whatever `metrics` holds.
    document = {"loss": [1.0, 0.5], "metrics": {"loss": [9.0, 9.0, 9.0]}}
    (run,) = load_runs(json.dumps(document).encode())
    assert run.metrics["loss"].tolist() == [1.0, 0.5]


def test_a_history_printed_a_key_list_line_per_metric_is_read() -> None:
    (run,) = load_path(wild_log("w231_binary-classifier-5-epochs-key-list-lines.txt"))
    assert set(run.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert run.metrics["val_loss"][3] == pytest.approx(0.42157506942749023)
    quoted = "'loss': [0.9, 0.7, nan]\n'val_loss' = [1.0, 0.8, 0.75],\n"
    (run,) = load_runs(quoted.encode())
    assert run.epochs == 3
    assert math.isnan(run.metrics["loss"][-1])
    # Lists with no loss among them are no History: the reader says what it expected.
    with pytest.raises(HistoryError):
        load_runs(b"classes: [0, 1, 2]\nsizes: [10, 20, 30]\n")
    # An unrelated script's report (caseybackes/mathcharcnn): the classes, settings and a score
    # above `Model.History:` and its lines, the model's summary and JSON below; those are said.
    (report,) = load_path(wild_log("history-key-lines-mathcharcnn-report.txt"))
    assert report.epochs == 5
    assert {"loss", "val_loss", "val_accuracy"} <= set(report.metrics)
    assert report.metrics["val_loss"][-1] == pytest.approx(0.0614393260697741)
    assert [skip.lines for skip in report.source.skipped] == ["1-4", "15-62"]


def test_a_history_printed_after_a_label_is_read_and_the_lines_after_it_skipped() -> None:
    (run,) = load_path(wild_log("w233_three-class-cnn-starts-at-ln3-then-learns.txt"))
    assert run.epochs == 50
    assert run.metrics["loss"][0] == pytest.approx(1.0985154725283945)
    assert [skip.lines for skip in run.source.skipped] == ["2"]
    (run,) = load_runs(b"History = {'loss': [0.7, 0.6], 'val_loss': [0.8, inf]}\n")
    assert run.epochs == 2
    assert math.isinf(run.metrics["val_loss"][-1])
    assert not run.source.skipped
    # An unrelated post's notes (a Chinese TF 2 MNIST walk-through, indented as a code block):
    # `History : {'loss': [...], ` with the dict broken onto a second line, then `History Keys :
    # dict_keys(['loss', 'accuracy'])`, which is said, not read.
    (notes,) = load_path(wild_log("history-repr-label-two-lines-hello-mnist-zh-notes-EXCERPT.txt"))
    assert notes.epochs == 5
    assert set(notes.metrics) == {"loss", "accuracy"}
    assert notes.metrics["accuracy"][-1] == pytest.approx(0.9769167)
    assert [skip.lines for skip in notes.source.skipped] == ["3"]


@pytest.mark.parametrize(
    ("name", "names"),
    [
        # `2025-06-04 17:39:02,341 - INFO - Epoch 1/35, Train Loss: 1.6279, Test Acc: 59.86%`
        ("w977_cifar10-pytorch-logging-35-epochs.txt", {"loss", "val_accuracy"}),
        # `2023-05-15 22:50:17,398 INFO:Epoch 1: Train Loss=0.0717, Val Loss=0.0766`
        ("w158_emonettcn.txt", {"loss", "val_loss"}),
    ],
)
def test_python_logging_prefixes_are_no_part_of_the_epoch_line(name: str, names: set[str]) -> None:
    (run,) = load_path(wild_log(name))
    assert set(run.metrics) == names
    assert run.epochs == MANIFEST[name]["epochs"][0]
    # The prefix's ` - ` is no Keras separator: the line's own field names are read whole.
    for prefix in ("2024-01-02 03:04:05,678 - train - INFO - ", "[2024-01-02 03:04:05] [INFO] ", ""):
        log = "".join(f"{prefix}Epoch {k}/2, Train Loss: 0.{9 - k}, Val Loss: 0.{8 - k}\n" for k in (1, 2))
        (run,) = load_runs(log.encode())
        assert run.metrics["loss"].tolist() == [0.8, 0.7]
        assert run.metrics["val_loss"].tolist() == [0.7, 0.6]


@pytest.mark.parametrize(
    ("name", "val_losses"),
    [
        # `*** Epoch 3/50 ***`, `Train: loss=1.0918, acc=0.6122`, `  Val: loss=1.2095, acc=0.5884`,
        # ` best:      1.2001,     0.5884, 0 epochs since improved` (an early-stopping tracker).
        ("w213_cifar10-cnn-50-epochs-star-headers.txt", [1.2001, 1.2095]),
        # An unrelated loop's logger: `========== Epoch 3/10 ==========` over `2026-02-26 ... -
        # INFO - Train | Loss: 1.2630 | Acc: 0.5509` and `Valid | Loss: ...`, then a message.
        ("decorated-header-resnet18-cifar10-logging.txt", [1.3527, 1.0464]),
    ],
)
def test_a_decorated_header_heads_a_block_and_a_best_so_far_line_is_no_curve(
    name: str, val_losses: list[float]
) -> None:
    (run,) = load_path(wild_log(name))
    assert run.epochs == MANIFEST[name]["epochs"][0]
    assert set(run.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert run.metrics["val_loss"][[0, 2]].tolist() == val_losses


def test_other_decorations_head_a_block_too() -> None:
    for header in ("===== Epoch {k}/2 =====", "---------- Epoch {k} ----------"):
        log = "".join(f"{header.format(k=k)}\ntrain Loss: 0.{9 - k} Acc: 0.{k}\n" for k in (1, 2))
        (blocks,) = load_runs(log.encode())
        assert blocks.metrics["loss"].tolist() == [0.8, 0.7]


def test_lasagnes_epoch_of_n_took_header_heads_a_block() -> None:
    # Lasagne's MNIST example (wild logs w1430, w1431): the total in words, the time after it,
    # the fields on the lines below, validation among them.
    log = "Starting training...\n" + "".join(
        f"Epoch {k} of 500 took 21.{k}39s\n  training loss:\t\t0.{9 - k}\n"
        f"  validation loss:\t\t0.{8 - k}\n  validation accuracy:\t\t9{k}.24 %%\n"
        for k in (1, 2, 3)
    )
    (run,) = load_runs(log.encode())
    assert run.metrics["loss"].tolist() == [0.8, 0.7, 0.6]
    assert run.metrics["val_loss"].tolist() == [0.7, 0.6, 0.5]
    assert "val_accuracy" in run.metrics
    # A line that goes on after the time is a message, not a header.
    message = log.replace("s\n  training", "s, saving\n  training")
    assert "val_loss" not in load_runs(message.encode())[0].metrics


def test_epochs_repeated_word_for_word_are_the_log_repeating_itself() -> None:
    (run,) = load_path(wild_log("w219_translation-lstm-keras3-duplicated-lines-overfits.txt"))
    assert run.epochs == 100
    assert any("repeated word for word" in skip.reason for skip in run.source.skipped)
    line = "32/32 - 1s - 20ms/step - loss: 2.3026 - accuracy: 0.1000\n"
    fit = "".join(f"Epoch {k}/3\n{line}" for k in (1, 2, 3))
    # A stuck run prints the same line every epoch: each is an epoch of its own.
    assert [run.epochs for run in load_runs(fit.encode())] == [3]
    # Two fits start at epoch 1, and two identical fits print the same lines: still two runs.
    assert [run.epochs for run in load_runs((fit + fit).encode())] == [3, 3]
    # Going back to an epoch after the first whose line comes again word for word is the paste.
    again = "".join(f"Epoch {k}/3\n{line}" for k in (2, 3))
    assert [run.epochs for run in load_runs((fit + again).encode())] == [3]
    # ... where a line that differs is a fit resumed from a checkpoint: a run of its own.
    resumed = again.replace("2.3026", "2.3025")
    assert [run.epochs for run in load_runs((fit + resumed).encode())] == [3, 2]


@pytest.mark.parametrize(
    ("name", "accuracy"),
    [
        # `Epoch : 1 - loss : 0.8917 - acc: 0.5463 - val_loss : 0.8640 - val_acc: 0.5589`
        ("w220_alzheimer-vit-2000-epochs-loss-creeps-down.txt", 0.8117),
        # `Epoch : 20 - loss : 0.1870 - acc: 93.4082%`: the share a percent sign writes.
        ("spaced-colon-eva6-vit-cats-dogs-readme.md", 0.934082),
        # A tqdm bar over each epoch's batches between the lines (`313/313 [02:38<00:00, ...]`)
        # is the epoch's progress, not something that starts another run.
        ("spaced-colon-eva7-vit-tqdm-bars-between.md", 0.6842),
    ],
)
def test_a_space_before_the_colon_is_still_a_name_and_its_number(name: str, accuracy: float) -> None:
    (run,) = load_path(wild_log(name))
    assert run.epochs == MANIFEST[name]["epochs"][0]
    assert "epoch" not in {metric.lower() for metric in run.metrics}  # the counter is no curve
    assert run.metrics["accuracy"][-1] == pytest.approx(accuracy)


def test_lines_of_fields_without_an_epoch_number_are_an_epoch_each() -> None:
    # `2018-03-23 15:29:33,355:INFO: train loss:1.10886`, ten times, then an evaluation line.
    (run,) = load_path(wild_log("w225_ner-tagger-train-loss-zigzags-then-nan.txt"))
    assert set(run.metrics) == {"loss"}
    assert run.metrics["loss"][:2].tolist() == [1.10886, 1.53702]
    assert np.isnan(run.metrics["loss"][5:]).all()
    # A line of other fields among them is skipped and said; one line alone is no run.
    (mixed,) = load_runs(b"loss: 0.9\nloss: 0.8\nval_f1: 0.3\nloss: 0.7\n")
    assert mixed.metrics["loss"].tolist() == [0.9, 0.8, 0.7]
    assert mixed.source.skipped[0].lines == "3"
    with pytest.raises(HistoryError, match="found no training epochs"):
        load_runs(b"train loss: 0.9\n")


def test_a_split_word_before_the_epoch_names_the_split_of_its_line() -> None:
    # `Epoch 1 train loss: 12.3032 (took 78.0s)` then `[Val Epoch 1] Loss: 11.3345 | MAE: ...`:
    # one epoch, the remark in brackets no field, the second line its validation.
    (run,) = load_path(wild_log("w234_depth-completion-regression-30-epochs-step-lines.txt"))
    assert set(run.metrics) == {"loss", "val_loss", "val_mae", "val_rmse"}
    assert run.metrics["loss"][[0, -1]].tolist() == [12.3032, 0.736]
    assert run.metrics["val_loss"][[0, -1]].tolist() == [11.3345, 0.8454]
    # An unrelated loop (lyeoni/nlp-tutorial's README): `Train Epoch: 1  >       Loss: 0.5479 /
    # Acc: 76.3%` then `Valid Epoch: 1  > ...`, with `Iteration 156 (156/782) Loss: ...` between.
    (arrow,) = load_path(wild_log("split-word-epoch-lines-lyeoni-imdb-transformer-readme.txt"))
    assert arrow.epochs == 3
    assert set(arrow.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert arrow.metrics["val_loss"].tolist() == [0.4983, 0.4665, 0.46]
    assert arrow.metrics["accuracy"][0] == pytest.approx(0.763)


@pytest.mark.parametrize(
    ("name", "first", "names"),
    [
        # `Minibatch loss at step 500: 1.745802` (the Udacity TensorFlow course), then the step's
        # `Minibatch accuracy: 73.4%` (the training accuracy, on the step's batch) and
        # `Validation accuracy: 76.0%`: more of that step.
        (
            "said-at-step-udacity-fullyconnected-minibatch-loss.txt",
            17.299883,
            {"loss", "accuracy", "val_accuracy"},
        ),
        # `Average loss at step 2000 : 4.35624240053`, `Nearest to ...` lines between.
        ("said-at-step-udacity-word2vec-average-loss.txt", 8.1941576004, {"loss"}),
    ],
)
def test_a_loss_said_at_a_step_is_a_point_per_step(name: str, first: float, names: set[str]) -> None:
    (run,) = load_path(wild_log(name))
    assert run.source.granularity == "step"
    assert set(run.metrics) == names
    assert run.metrics["loss"][0] == first
    # The tail after the value is more fields of that step (the course's LSTM assignment).
    (tail,) = load_runs(
        b"Average loss at step 1700: 1.713515 learning rate: 10.000000\n"
        b"Average loss at step 1800: 1.676672 learning rate: 10.000000\n",
        "log.txt",
    )
    assert tail.metrics["loss"].tolist() == [1.713515, 1.676672]
    assert len(tail.metrics) == 2
    (udacity,) = load_path(wild_log("said-at-step-udacity-fullyconnected-minibatch-loss.txt"))
    assert udacity.metrics["val_accuracy"][[0, -1]].tolist() == pytest.approx([0.126, 0.781])
    # The final `Test accuracy: 85.8%` names val_accuracy again: no field of the last step.
    assert [skip.lines for skip in udacity.source.skipped] == ["23"]


@pytest.mark.parametrize(
    ("name", "epochs"),
    [
        ("pytorch-mnist-example-lines-snn-readme.txt", 3),
        ("pytorch-mnist-example-lines-common-voice-readme.txt", 20),
    ],
)
def test_the_pytorch_mnist_example_lines_are_epochs_with_a_test_set(name: str, epochs: int) -> None:
    # `Train Epoch: 1 [640/60000 (1%)]\tLoss: 2.213470` (the step and its share in brackets),
    # then `Test set: Average loss: 0.1018, Accuracy: 9663/10000 (97%)` after each epoch: its
    # validation (no other split), the average being that split's loss.
    (run,) = load_path(wild_log(name))
    assert run.epochs == epochs
    assert {"loss", "val_loss", "val_accuracy"} <= set(run.metrics)
    assert not run.source.skipped


def test_the_terms_of_a_loss_in_brackets_are_no_fields() -> None:
    # w234's step lines, `Epoch [1] Step [20/200] Loss: 13.2759 (main=12.0446, lidar=12.2817,
    # tv=0.3116)` (a step in brackets after a space), are read as step lines: the bracketed terms
    # break the loss down and are no metric; the epoch-end line is each epoch's result.
    (depth,) = load_path(wild_log("w234_depth-completion-regression-30-epochs-step-lines.txt"))
    assert not {"main", "lidar", "tv"} & set(depth.metrics)
    assert depth.metrics["loss"][[0, -1]].tolist() == [12.3032, 0.736]
    (line,) = load_runs(
        b"Epoch [1/5] Step [0050/1915]: bow_loss=6.4962\nEpoch [1/5] Step [0100/1915]: bow_loss=6.0095\n"
        b"Epoch [1/5] Step [0150/1915]: bow_loss=nan\n",
        "log.txt",
    )
    assert line.epochs == 3
    assert line.metrics["loss"][:2].tolist() == [6.4962, 6.0095]


@pytest.mark.parametrize(
    ("name", "names"),
    [
        # ` Epoch    Train Loss   Val Acc (%)  Test Acc (%)` over a rule of dashes.
        (
            "w237_tiny-val-classifier-fixed-width-table-30-epochs.txt",
            {"loss", "val_accuracy", "test_accuracy"},
        ),
        # `print(pd.DataFrame(history.history))`: an index column under no name.
        ("pandas-print-history-head-EXCERPT.txt", {"loss", "accuracy", "val_loss", "val_accuracy"}),
    ],
)
def test_a_table_aligned_with_spaces_is_read_as_a_table(name: str, names: set[str]) -> None:
    (run,) = load_path(wild_log(name))
    assert set(run.metrics) == names
    assert run.epochs == MANIFEST[name]["epochs"][0]
    assert np.nanmax(run.metrics["val_accuracy"]) <= 1.0  # `Val Acc (%)` holds percentages


def test_a_lone_error_measure_is_the_loss_the_run_minimised() -> None:
    # `Epoch,RMSE`: a regression's only curve.
    (run,) = load_path(WILD_CORPUS / "w711_house-price-rmse-frozen.csv")
    assert set(run.metrics) == {"loss"}
    assert run.metrics["loss"][0] == 197890.25
    # An unrelated README's table, `| Epoch | Train RMSE | Val RMSE | Status |`: the labels
    # (`★ Best`) are no second curve, and the best epoch's value set in bold is still read.
    (table,) = load_path(wild_log("md-table-lone-rmse-avito-results.md"))
    assert set(table.metrics) == {"loss", "val_loss"}
    assert table.epochs == 9
    assert table.metrics["val_loss"][5] == 0.22114
    (twin,) = load_runs(b"epoch,mae,val_mae\n0,0.5,0.6\n1,0.4,0.5\n")
    assert set(twin.metrics) == {"loss", "val_loss"}
    # Beside a loss, an error measure stays the metric it is.
    (both,) = load_runs(b"epoch,loss,rmse\n0,0.5,0.7\n1,0.4,0.6\n")
    assert set(both.metrics) == {"loss", "rmse"}


def test_a_loops_epoch_line_is_read_whole_and_a_message_naming_an_epoch_is_not() -> None:
    # `Epoch 1/50 - Train Loss: 0.9780, Train Accuracy: 50.15%, Validation Loss: 1.3758, ...`
    # between tqdm bars and `Saving model at Epoch 1 with Validation Accuracy: 33.73%`.
    first, second = load_path(wild_log("epoch-lines-inline-header-deeplense-ft.md"))
    assert (first.epochs, second.epochs) == (50, 98)
    assert set(first.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert first.metrics["val_accuracy"][0] == pytest.approx(0.3373)


def test_a_schedulers_message_naming_an_epoch_is_no_epoch_nor_a_new_run() -> None:
    # `Epoch : 15/55....... Train Loss : 0.161 ...` then `Epoch 00015: reducing learning rate of
    # group 0 to 1.0000e-04.` (PyTorch's ReduceLROnPlateau), and `CPU times: user 10min 55s,
    # sys: 5.11 s` after the loop: one run of the 24 epoch lines, the messages said.
    (run,) = load_path(wild_log("scheduler-message-alexnet-cifar10-blog-EXCERPT.md"))
    assert run.epochs == 24
    assert {"loss", "val_loss", "val_accuracy"} <= set(run.metrics)
    assert run.metrics["loss"][[0, 15]].tolist() == [1.341, 0.084]
    assert [skip.lines for skip in run.source.skipped] == ["24", "36"]
    assert "a message about an epoch" in run.source.skipped[0].reason
    # The same message between `Epoch [k/N], Train Loss: ...` lines (w1098's loop).
    message = "Epoch 00002: reducing learning rate of group 0 to 5.0000e-04.\n"
    log = "".join(
        f"Epoch [{k}/100], Train Loss: 0.{9 - k}\nEpoch [{k}/100], Validation Loss: 0.{8 - k}\n"
        + (message if k == 2 else "")
        for k in (1, 2, 3)
    )
    (run,) = load_runs(log.encode())
    assert run.metrics["loss"].tolist() == [0.8, 0.7, 0.6]
    assert run.metrics["val_loss"].tolist() == [0.7, 0.6, 0.5]


def test_fields_of_an_epoch_whose_header_the_paste_lost_are_its_first_epoch() -> None:
    block = "Epoch {k}/50\n----------\ntrain loss: 6.{k}, acc: 0.1{k}\nvalidation loss: 6.2{k}, acc: 0.1{k}\n"
    tail = "train loss: 6.1, acc: 0.12\nvalidation loss: 6.3, acc: 0.11\n"
    (run,) = load_runs((tail + "".join(block.format(k=k) for k in (8, 9))).encode())
    assert run.metrics["loss"].tolist() == [6.1, 6.8, 6.9]
    assert run.metrics["val_loss"].tolist() == [6.3, 6.28, 6.29]
    # Settings printed before the first header name other things: no epoch.
    (run,) = load_runs(("lr: 0.001\n" + "".join(block.format(k=k) for k in (1, 2))).encode())
    assert run.metrics["loss"].tolist() == [6.1, 6.2]


def test_step_lines_without_an_epoch_are_a_point_per_step() -> None:
    # TensorFlow 1's CIFAR-10 script (lchia/demo_tf's README): `2017-03-28 19:15:54.410553: step
    # 0, loss = 4.68 (80.0 examples/sec; 1.600 sec/batch)`, the remark in brackets no field.
    (run,) = load_path(wild_log("tf1-step-lines-cifar10-demo-tf-readme-EXCERPT.md"))
    assert run.source.granularity == "step"
    assert set(run.metrics) == {"loss"}
    assert run.metrics["loss"].tolist() == [4.68, 4.63, 4.42, 4.46, 4.37, 4.31]
    # w1122's layout: a counter without a `:`, a label naming the phase, a checkpoint message.
    log = (
        ">> Step 440 run_train: loss = 15.94 (8.119 sec)\n"
        ">> Step 450 run_train: loss = 36.65 (8.486 sec)\n"
        ">> 2017-08-26 13:12:49.057376 Saving in ./captcha_train/captcha\n"
        ">> Step 460 run_train: loss = 102.19 (8.480 sec)\n"
    )
    (run,) = load_runs(log.encode())
    assert run.metrics["loss"].tolist() == [15.94, 36.65, 102.19]
    # A label that names a split names the split of the fields after it.
    (run,) = load_runs(b"train: loss=0.5, acc=0.8\ntrain: loss=0.4, acc=0.9\nval: loss=0.6, acc=0.7\n")
    assert set(run.metrics) == {"loss", "accuracy"}
    assert "other fields" in run.source.skipped[0].reason


def test_a_row_of_names_over_a_row_of_numbers_is_the_epochs_fields() -> None:
    # w790's layout (google-research/bert#855): `Epoch: 01 | Epoch Time: 0m 57s`, then
    # `*******train_loss,train_acc,valid_loss,valid_ac**********` over a tab-separated row.
    epoch = "Epoch: {k:02d} | Epoch Time: 0m 57s\n*******train_loss,valid_loss********** \n5.{k}\t4.9{k}\n"
    (run,) = load_runs("".join(epoch.format(k=k) for k in (1, 2, 3)).encode())
    assert run.metrics["loss"].tolist() == [5.1, 5.2, 5.3]
    assert run.metrics["val_loss"].tolist() == [4.91, 4.92, 4.93]
    # Over several rows the names head a table of epochs, not one epoch's fields.
    (table,) = load_runs(b"Epoch: 01\nloss  val_loss\n0.5  0.6\n0.4  0.5\n")
    assert table.metrics["loss"].tolist() == [0.5, 0.4]


@pytest.mark.parametrize(
    ("name", "names"),
    [
        # `Training Epoch:[812/1500]\t loss=2.62438\t lr=0.000100\t epoch_time=58.480`: the
        # epoch's duration is no curve.
        ("w848_cltr-maintainer-log-plateau-jitter.txt", {"loss", "learning_rate"}),
        # `Epoch [22/100] (8625) train_mae: 1.9640, val_mae: 2.7854 lr:0.001000 362.1s`: the step
        # count and the duration are no fields, and the lone error measure is the loss.
        ("w1124_dcrnn-train-mae-creeps-4-epochs.txt", {"loss", "val_loss", "learning_rate"}),
        # An unrelated page (LibCity's quick start, a Vue template): `- INFO - Epoch [0/100] (375)
        # train_mae: 3.3774, val_mae: 4.3733, lr: 0.010000, 403.5s<br>`, a comma before the
        # duration, epochs 0 and 99 with `...<br>` and the executor's messages between.
        (
            "libcity-dcrnn-step-count-logging-quick-start-vue-EXCERPT.txt",
            {"loss", "val_loss", "learning_rate"},
        ),
    ],
)
def test_what_stands_around_a_loggers_epoch_fields_is_no_field(name: str, names: set[str]) -> None:
    (run,) = load_path(wild_log(name))
    assert set(run.metrics) == names
    assert run.epochs == MANIFEST[name]["epochs"][0]
    if name.startswith("libcity"):
        assert run.metrics["val_loss"].tolist() == [4.3733, 2.8501]
        assert run.metrics["learning_rate"].tolist() == [0.01, 0.000001]


def test_fields_alone_on_logging_lines_after_an_epochs_message_are_its_epoch() -> None:
    # FourCastNet on SLURM: `- root - INFO - Time taken for epoch 1 is 268.29 sec`, then `- root
    # - INFO - Train loss: 0.3334. Valid loss: 0.3517` (a full stop between the fields).
    (run,) = load_path(wild_log("unnumbered-logging-fourcastnet-slurm-readme-EXCERPT.txt"))
    assert run.epochs == 3
    assert set(run.metrics) == {"loss", "val_loss"}
    assert run.metrics["val_loss"][0] == pytest.approx(0.3517494797706604)


def test_timestamped_log_lines_with_commas_are_no_csv_header() -> None:
    # `2025-04-24 21:16:20,207 - INFO - Class weights: [1.0266, 9.4066, ...]` twice made a CSV
    # of 125 rows of junk; the log's three appended runs of epoch lines are what it holds.
    runs = load_path(wild_log("w731_face-emotion-three-restarts.txt"))
    assert [run.epochs for run in runs] == [10, 8, 11]
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} == set(runs[0].metrics)


@pytest.mark.parametrize(
    ("name", "skipped"),
    [
        # `INFO:tensorflow:Step 11300 per-step time 0.695s loss=0.727`: a duration named in words.
        ("tf-od-api-step-lines-loss-blowout-squirrel-detector-readme.txt", 0),
        # Each step logged twice, the second time behind absl's `I1009 05:49:54.640861 ... ]`.
        ("tf-od-api-step-lines-absl-doubled-notebook-EXCERPT.txt", 10),
        # TF-Slim's `INFO:tensorflow:global step 199972: loss = 0.0452 (0.290 sec/step)`, each
        # line printed twice word for word (tensorflow/models#5017, loss blowing up to 4e21).
        ("tf-slim-global-step-lines-doubled-tf-models-issue5017-EXCERPT.txt", 6),
    ],
)
def test_object_detection_api_step_lines_are_a_point_per_step(name: str, skipped: int) -> None:
    (run,) = load_path(wild_log(name))
    assert run.source.granularity == "step"
    assert set(run.metrics) == {"loss"}
    assert run.epochs == MANIFEST[name]["epochs"][0]
    assert run.source.skipped_lines == skipped
    if name.startswith("tf-slim"):
        assert run.metrics["loss"][:2].tolist() == [0.0452, 4351578088673814511616.0]
        assert all("word for word" in skip.reason for skip in run.source.skipped)


def test_a_table_of_one_curve_reads_without_a_file_name() -> None:
    content = wild_log("one-column-loss-basic-asr.csv").read_bytes()
    (run,) = load_runs(content)  # a body posted without a name: the header names the curve
    assert (run.epochs, list(run.metrics)) == (10, ["loss"])
    with pytest.raises(HistoryError):
        load_runs(b"Training finished\nnot a number\n")  # one word over text is no table


def test_an_epoch_cut_where_the_loss_turned_nan_ends_the_run_on_nan() -> None:
    """TerminateOnNaN stops inside the epoch whose loss turned NaN (w1361): that epoch's last state
    ends the run. Where the loss was NaN already, a paste that stops inside the next epoch adds
    nothing (w1160)."""
    bar = "1000/1000 [==============================] - 1s 1ms/step"
    cut = "[=======================>......] - ETA: 0s"
    turned = (
        f"Epoch 1/100\n{bar} - loss: 1.4000 - val_loss: 1.9154\n"
        f"Epoch 2/100\n{bar} - loss: 1.3995 - val_loss: 1.9376\n"
        f"Epoch 3/100\n 800/1000 {cut} - loss: 1.3988Batch 8: Invalid loss, terminating training\n"
        f" 900/1000 {cut} - loss: nan \n"
    )
    (run,) = load_runs(turned.encode())
    assert run.epochs == 3
    assert math.isnan(run.metrics["loss"][-1])
    already = f"Epoch 1/3\n{bar} - loss: nan\nEpoch 2/3\n 800/1000 {cut} - loss: nan\n"
    (run,) = load_runs(already.encode())
    assert run.epochs == 1


def test_a_tfjs_node_epoch_still_running_is_no_epoch() -> None:
    """tfjs-node's bar shows `eta=` until the epoch ends (w1221, tensorflow/tfjs#1515): a paste
    that stops inside an epoch has that epoch's progress state, not its result."""
    log = (
        "Epoch 1 / 20\neta=0.0 ============> \n3470ms 289137us/step - acc=0.917 loss=0.297 \n"
        "Epoch 2 / 20\neta=0.0 ============> \n3376ms 281360us/step - acc=0.00 loss=16.12 \n"
        "Epoch 3 / 20\neta=1.9 ===>--------- acc=0.00 loss=16.12\n"
    )
    (run,) = load_runs(log.encode())
    assert run.metrics["loss"].tolist() == [0.297, 16.12]
    assert "eta" not in run.metrics


@pytest.mark.parametrize(
    ("name", "last_val_losses"),
    [
        # timeseriesAI/tsai#639: fastai's table pasted from a notebook, `epoch\ttrain_loss\tvalid_loss
        # \taccuracy\ttime` over rows that end in a time (`00:03`), NaN losses.
        ("w1126_tsai-inceptiontime-nan-from-epoch-0.txt", [math.nan]),
        # An unrelated README (a fast.ai twin network on SageMaker): two fits, code lines before
        # and between the tables, the first header apart by spaces then tabs (`epoch   train_loss\t`).
        ("fastai-table-spaced-header-two-fits-siamese-readme-EXCERPT.md", [0.106692, 0.093117]),
    ],
)
def test_fastai_tables_are_read_a_run_a_table(name: str, last_val_losses: list[float]) -> None:
    runs = load_path(wild_log(name))
    assert [run.epochs for run in runs] == MANIFEST[name]["epochs"]
    assert [run.metrics["val_loss"][-1] for run in runs] == pytest.approx(last_val_losses, nan_ok=True)
    assert all("time" not in run.metrics for run in runs)  # `00:38` is no curve
    # fastai computes its metrics on the validation set: `accuracy` there is the validation's.
    assert all(set(run.metrics) == {"loss", "val_loss", "val_accuracy"} for run in runs)
    # Tabs alone that already split the header as its rows leave it as it is.
    (run,) = load_runs(b"epoch\ttrain loss\tvalid loss\n0\t0.9\t1.0\n1\t0.7\t0.8\n")
    assert run.metrics["val_loss"].tolist() == [1.0, 0.8]


@pytest.mark.parametrize(
    ("name", "val_accuracy", "skipped"),
    [
        # A script's output kept in a docstring: `Epoch: 01 | Epoch Time: 0m 52s`, then `\tTrain
        # Loss: 0.686 | Train Acc: 61.58%` and `\t Val. Loss: 0.630 |  Val. Acc: 71.75%`, a test
        # line, two predictions and `Process finished with exit code 0` after the last epoch.
        ("epoch-time-blocks-fasttext-imdb-py-docstring-EXCERPT.txt", 0.8589, ["17"]),
        # An unrelated translation's notebook exported to markdown, the output indented.
        ("epoch-time-blocks-zh-cnn-sentiment-notebook-md-EXCERPT.md", 0.8737, []),
    ],
)
def test_an_epoch_header_with_its_time_heads_a_block_of_split_lines(
    name: str, val_accuracy: float, skipped: list[str]
) -> None:
    (run,) = load_path(wild_log(name))
    assert run.epochs == MANIFEST[name]["epochs"][0]
    assert set(run.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}  # `Val.` is val
    assert run.metrics["val_accuracy"][-1] == pytest.approx(val_accuracy)
    assert [skip.lines for skip in run.source.skipped] == skipped


@pytest.mark.parametrize(
    ("name", "names"),
    [
        ("tb-lightning-sketch-vlm-val-every-5-epochs.tfevents", {"loss", "val_loss", "m_ap"}),
        ("tb-lightning-shakespeare-lstm-29-epochs.tfevents", {"loss", "val_loss"}),
    ],
)
def test_lightning_event_files_are_grouped_into_epochs_by_their_epoch_scalar(
    name: str, names: set[str]
) -> None:
    """PyTorch Lightning's TensorBoardLogger logs `train_loss` every 50 steps, `epoch` beside it
    and `val_loss` at an epoch's last step, where no training loss is: read per step, those
    steps were NaN losses (`loss_nan` at step 49). Grouped by the `epoch` scalar, the run is
    read per epoch, its `hp_metric` placeholder left out, and the diagnosis says so."""
    (run,) = load_path(wild_log(name))
    assert run.source.format == "tensorboard_scalars"
    assert run.source.granularity == "epoch"
    assert "mean of its step values" in (run.source.aggregated or "")
    assert set(run.metrics) == names
    assert np.isfinite(run.metrics["loss"]).all()
    report = diagnose_runs([run])
    assert report.run.source.granularity == "epoch"
    assert "loss_nan" not in {finding.code for finding in report.findings}


@pytest.mark.parametrize(
    ("name", "epochs", "names"),
    [
        # TF 2.5: `epoch_*` as simple_value; the graph and histograms beside them.
        ("tb-keras-fit-mnist-streamlit-tensorboard", 5, {"loss", "accuracy", "val_loss", "val_accuracy"}),
        # TF 2.x writing every scalar as a one-element tensor, the log directory in a tar.gz.
        (
            "tb-keras-tf2-tensor-scalars-1000-epochs-logdir.tar.gz",
            1000,
            {"loss", "Euclidean", "cosine_similarity", "val_loss", "val_Euclidean", "val_cosine_similarity"},
        ),
    ],
)
def test_keras_tensorboard_log_dirs_read_their_epoch_scalars(name: str, epochs: int, names: set[str]) -> None:
    """keras.callbacks.TensorBoard's `train/` and `validation/` event files: `epoch_loss` becomes
    the loss per epoch; `evaluation_loss_vs_iterations` (validation, per step) is left out."""
    (run,) = load_path(wild_log(name))
    assert (run.source.format, run.source.granularity) == ("tensorboard", "epoch")
    assert run.epochs == epochs
    assert set(run.metrics) == names
    assert diagnose_runs([run]).run.source.granularity == "epoch"


def test_a_summary_writer_runs_directory_is_a_run_per_subdirectory() -> None:
    """PyTorch's `SummaryWriter()` writes each run under `runs/<date>_<host>/`; `Loss/train` logged
    once an epoch (steps 1..N) is the loss, read per epoch; a run directory without a scalar is
    no run."""
    runs = load_path(wild_log("tb-summarywriter-loss-train-runs-dir-9-runs"))
    assert [run.source.format for run in runs] == ["tensorboard_scalars"] * 9
    assert {run.source.granularity for run in runs} == {"epoch"}
    assert all(list(run.metrics) == ["loss"] for run in runs)


@pytest.mark.parametrize(
    ("name", "names"),
    [
        # Rules above and below the header only; `Elapsed Time` holds `28.94s` (text).
        (
            "box-table-turicreate-activity-classifier-issue2354.txt",
            {"loss", "accuracy", "val_loss", "val_accuracy"},
        ),
        # A rule between every row.
        (
            "box-table-turicreate-drawing-classifier-pr1949-EXCERPT.txt",
            {"loss", "accuracy", "elapsed_time_seconds"},
        ),
    ],
)
def test_a_box_table_reads_as_a_table_its_iteration_no_curve(name: str, names: set[str]) -> None:
    (run,) = load_path(wild_log(name))
    assert set(run.metrics) == names  # `Iteration` numbers the rows
    assert run.epochs == MANIFEST[name]["epochs"][0]


def test_chainer_printreport_names_and_blank_cells() -> None:
    # `main/loss` is the model's loss, `validation/main/accuracy` the evaluator's accuracy.
    (run,) = load_path(wild_log("w1432_chainer-issue4424-cifar-lr0p5-stuck-at-ln10.txt"))
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(run.metrics)
    # A value not reported yet is a blank under its name: the values that follow stay under
    # theirs, and a column never reported is no curve of NaN.
    (table,) = load_path(wild_log("chainer-printreport-blank-validation-seq2seq-issue6101-EXCERPT.txt"))
    assert set(table.metrics) == {"loss", "perp", "val_bleu", "elapsed_time"}
    assert table.metrics["perp"].tolist() == [1114.84, 1.19844]
    assert math.isnan(table.metrics["val_bleu"][0])
    assert table.metrics["val_bleu"][1] == 0.178536
    assert table.source.skipped[0].lines == "4"  # the `# source :` line


# Issue 13's layouts from the seed-7525 holdout (tests/corpus/wild, named there by their ids),
# quoted verbatim, each beside a second, unrelated source among the fixtures.
MINITORCH_BARE_W1771 = (
    "Epoch  0  loss  5.231461149483382 correct 42 Epoch Time 17.961704969406128\n"
    "Epoch  10  loss  2.165689108402185 correct 49 Epoch Time 0.21724987030029297\n"
    "Epoch  20  loss  1.4199035767231443 correct 50 Epoch Time 0.12260293960571289\n"
)
MINITORCH_SLASH_W1774 = (
    "Epoch: 0  time/epoch: 6.562  correct: 31 loss: 8.844289542730438\n"
    "Epoch: 1  time/epoch: 0.053  correct: 31 loss: 7.830468734251569\n"
    "Epoch: 2  time/epoch: 0.041  correct: 31 loss: 6.748677128199399\n"
)
KGLIDS_W1778 = (
    "2023-01-11 20:43:49.577037 Training model: StringEmbeddingModel\n"
    "\t\t\t\t\t\t\tTraining Size: 11680 - Test Size: 2920\n"
    "\t\t\t\t\t\t\tEmbedding Size: 300 - Epochs: 100 - LR: 1e-05 - Distance Threshold: 1.0\n"
    "\t\t\t\t\t\t\tDevice: cuda - Save Path: pretrained_models/string/20230111150300_string_model/"
    "20230111150300_string_model.pt\n"
    "\n"
    "2023-01-11 22:04:58.534008: Epoch: 1 done: Avg Train Loss: 0.2908 Avg Test Loss: 0.2662 --- "
    "Test Accuracy: 0.9080\n"
    "2023-01-11 23:26:06.036464: Epoch: 2 done: Avg Train Loss: 0.2561 Avg Test Loss: 0.2469 --- "
    "Test Accuracy: 0.9203\n"
)
ITERATIONS_W1785 = (
    "    Iter [  0/11250] | Train Loss 2.4557 | Train Acc 0.0000 | Valid Loss 2.3090 | Valid Acc 0.0998\n"
    "    Iter [ 20/11250] | Train Loss 1.4652 | Train Acc 0.7500 | Valid Loss 2.9662 | Valid Acc 0.1762\n"
    "    Iter [ 40/11250] | Train Loss 1.6796 | Train Acc 0.2500 | Valid Loss 5.4018 | Valid Acc 0.2336\n"
)


def _read(text: str) -> TrainingHistory:
    (run,) = load_runs(text.encode(), "log.txt")
    return run


@pytest.mark.parametrize(
    ("text", "epochs", "last_loss"),
    [
        (MINITORCH_BARE_W1771, 3, 1.4199035767231443),
        (wild_log("minitorch-bare-pairs-epoch-time-readme-EXCERPT.md").read_text(), 10, 0.044722780552547324),
    ],
)
def test_minitorch_lines_without_colons_read_names_of_several_words(
    text: str, epochs: int, last_loss: float
) -> None:
    # `Epoch  0  loss  5.2314 correct 42 Epoch Time 17.96`: a name is the words before a number,
    # and `Epoch Time` is a duration, no curve.
    run = _read(text)
    assert set(run.metrics) == {"loss", "correct"}
    assert run.epochs == epochs
    assert run.metrics["loss"][-1] == last_loss


def test_a_slash_in_a_fields_name_is_part_of_the_name() -> None:
    # MiniTorch's `time/epoch: 6.562` is a duration; `train/loss: 5.5192` (another source) a loss.
    minitorch = _read(MINITORCH_SLASH_W1774)
    assert set(minitorch.metrics) == {"loss", "correct"}
    assert minitorch.metrics["loss"].tolist() == [8.844289542730438, 7.830468734251569, 6.748677128199399]
    (run,) = load_path(wild_log("slash-names-epoch-records-log-string-py-EXCERPT.txt"))
    assert set(run.metrics) == {"loss", "val_loss", "accuracy", "val_accuracy"}
    assert run.metrics["val_loss"][0] == 4.0330


def test_timestamped_epoch_lines_with_dashes_between_averaged_fields() -> None:
    # `<time>: Epoch: 1 done: Avg Train Loss: 0.2908 Avg Test Loss: 0.2662 --- Test Accuracy: ..`:
    # the header lines are no epoch, `---` parts fields, and `Avg` before the split keeps the split.
    run = _read(KGLIDS_W1778)
    assert set(run.metrics) == {"loss", "val_loss", "val_accuracy"}
    assert run.metrics["loss"].tolist() == [0.2908, 0.2561]
    assert run.metrics["val_loss"].tolist() == [0.2662, 0.2469]
    (numpy_mlp,) = load_path(wild_log("avg-split-loss-names-numpy-mlp-readme-EXCERPT.md"))
    assert set(numpy_mlp.metrics) == {"loss", "val_loss"}
    # A LeNet-5 README (search index id 12533999152): the dashes right after the epoch, too.
    lenet = _read(
        "Epoch 1/10 --- Train Accuracy: 94.98% --- Validation Accuracy: 94.93%\n"
        "Epoch 2/10 --- Train Accuracy: 96.52% --- Validation Accuracy: 96.36%\n"
    )
    assert lenet.metrics["accuracy"].tolist() == pytest.approx([0.9498, 0.9652])
    assert lenet.metrics["val_accuracy"].tolist() == pytest.approx([0.9493, 0.9636])


def test_step_lines_with_the_counter_in_brackets_are_a_point_per_step() -> None:
    run = _read(ITERATIONS_W1785)
    assert run.source.granularity == "step"
    assert set(run.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert run.metrics["val_loss"].tolist() == [2.3090, 2.9662, 5.4018]
    (steps,) = load_path(wild_log("step-counter-in-brackets-named-speed-readme-EXCERPT.md"))
    assert set(steps.metrics) == {"loss", "imp", "morph"}  # `Speed: 6.3 steps/s` is no field


def test_words_and_numbers_without_a_metric_name_are_no_fields() -> None:
    # CNTK (w1414, retired): `epoch 0: frames [0..6000] (...), data subset 0 of 1` is a message
    # about the epoch's data; read as `data subset: 0, of: 1` it made every epoch two.
    run = _read(
        "Starting Epoch 1: learning rate per sample = 0.000250  effective momentum = 0.900000  "
        "momentum as time constant = 379.6 samples\n"
        "BlockRandomizer::StartEpoch: epoch 0: frames [0..6000] (first sequence at sample 0), "
        "data subset 0 of 1\n"
        "\n"
        "Starting minibatch loop.\n"
        "Finished Epoch[ 1 of 15]: [Training] mse = 2975.58366667 * 6000; totalSamplesSeen = 6000; "
        "learningRatePerSample = 0.00024999998; epochTime=24.2631s\n"
    )
    assert run.epochs == 1
    assert "data_subset" not in run.metrics
    assert run.metrics["loss"].tolist() == [2975.58366667]


@pytest.mark.parametrize(
    ("name", "accuracy", "val_accuracy"),
    [
        # PyG's GraphSAGE loop, as Ginex runs it: `Epoch 07, Loss: 1.5392, Approx. Train: 0.5582`.
        ("w1216_ginex-issue6-gnn-epoch-blocks-converging.txt", 0.5582, None),
        # DGL GraphBolt's, with its validation twin: `Approx. Train: 0.6516, Approx. Val: 0.6590`.
        ("approx-train-val-graphbolt-disk-feature-readme-EXCERPT.txt", 0.6516, 0.6590),
    ],
)
def test_an_approximate_accuracy_is_the_accuracy(
    name: str, accuracy: float, val_accuracy: float | None
) -> None:
    (run,) = load_path(wild_log(name))
    assert run.metrics["accuracy"][-1] == pytest.approx(accuracy)
    if val_accuracy is not None:
        assert run.metrics["val_accuracy"][-1] == pytest.approx(val_accuracy)
    # Without a split the word is no accuracy.
    assert [canonical_name(name) for name in ("Approx", "Approx. Loss")] == ["approx", "approx_loss"]


@pytest.mark.parametrize(
    ("name", "val_loss", "val_accuracy"),
    [
        ("w183_widedeep-tqdm-epoch-valid-bars.txt", 0.35, 0.8228),
        ("tqdm-epoch-valid-bars-widedeep-binary-docs-EXCERPT.txt", 0.348, 0.8406),
    ],
)
def test_a_split_bar_under_an_epoch_bar_is_that_epochs_validation(
    name: str, val_loss: float, val_accuracy: float
) -> None:
    # `epoch 1: 100%|...| 153/153 [..., loss=0.731, metrics={'acc': 0.6468}]`, then `valid: ...`.
    (run,) = load_path(wild_log(name))
    assert run.metrics["val_loss"][-1] == pytest.approx(val_loss)
    assert run.metrics["val_accuracy"][-1] == pytest.approx(val_accuracy)
    assert np.isfinite(run.metrics["accuracy"]).all()  # the postfix's dict, read
    assert not run.source.skipped


def test_an_empty_cell_of_a_padded_table_is_not_logged() -> None:
    # DySPN's log leaves epoch 7's RMSE_Val empty (`    7 ,04.29_10:21:29 ,0.001 ,  731.0956 ,`).
    (run,) = load_path(wild_log("w1449_dyspn-issue4-depth-rmse-train-val-25-epochs-csv.csv"))
    assert run.source.not_logged == {"val_loss": [7]}
    assert np.isfinite(np.delete(run.metrics["val_loss"], 7)).all()
    assert "loss_nan" not in {finding.code for finding in diagnose_runs([run]).findings}


@pytest.mark.parametrize(
    ("name", "loss", "val_loss"),
    [
        # PetarV-/GAT#1 (ambiguous, unscored): no epoch number, `Time: ...` after the fields.
        ("w2026_gat-issue1-cora-sparse-training-lines.txt", 1.46445, 1.68655),
        # HAN's script built on GAT's, under `Epoch: 9, att_val: [...]` lines.
        ("han-gat-split-segments-acm-run-log-EXCERPT.txt", 0.23951, 0.17534),
    ],
)
def test_a_split_label_leading_a_segment_names_all_its_fields(
    name: str, loss: float, val_loss: float
) -> None:
    # `Training: loss = 1.14984, acc = 0.32667 | Val: loss = 0.98673, acc = 0.33333`.
    (run,) = load_path(wild_log(name))
    assert run.metrics["loss"][-1] == pytest.approx(loss)
    assert run.metrics["val_loss"][-1] == pytest.approx(val_loss)
    assert run.metrics["accuracy"][-1] < 1.0
    assert "val_accuracy" in run.metrics


def test_top1_and_class_accuracy_under_their_own_names_are_the_accuracy() -> None:
    # torchvision's and timm's `Acc@1` (`acc1` in their metric loggers) is top-1 accuracy, and a
    # BEiT-style engine's `class_acc` is the classifier's accuracy: a rule reads `accuracy`.
    # Top-5 is no accuracy a rule means and keeps its name.
    assert [canonical_name(n) for n in ("Acc@1", "acc1", "class_acc", "Val Acc@1", "Acc@5")] == [
        "accuracy",
        "accuracy",
        "accuracy",
        "val_accuracy",
        "acc_5",
    ]
    # The line shapes of wild logs w2022 (python logging) and w2020 (a MetricLogger's steps).
    rspnet = "\n".join(
        f"2021-07-08 02:04:{50 + i},179|INFO    |Train [29/30][{9 + 10 * i}/298]   "
        f"Loss {loss:.6f} ({loss:.6f})        Acc@1 {acc:.2f} ( {acc:.2f})   Acc@5 100.00 (100.00)"
        for i, (loss, acc) in enumerate([(0.16, 97.5), (0.40, 87.5), (0.01, 100.0), (0.04, 100.0)])
    )
    (run,) = load_runs(rspnet.encode(), "log.txt")
    assert run.metrics["accuracy"].tolist() == [97.5, 87.5, 100.0, 100.0]
    labram = "\n".join(
        f"Epoch: [0]  [{210 + 10 * i}/582]  eta: 0:01:39  lr: 0.000036  loss: {loss:.4f} ({loss:.4f})  "
        f"class_acc: {acc:.4f} ({acc:.4f})  time: 0.1848  data: 0.0001  max mem: 8738"
        for i, (loss, acc) in enumerate([(0.5454, 0.7734), (0.5393, 0.7734), (0.5355, 0.7578)])
    )
    (run,) = load_runs(labram.encode(), "log.txt")
    assert run.metrics["accuracy"].tolist() == [0.7734, 0.7734, 0.7578]


def test_detectron2_iteration_lines_are_a_point_per_logged_iteration() -> None:
    # The logger's name inside the time's brackets or after them with its level, an ETA before
    # the counter (past a day too), the memory written `3911M`: none of them a field.
    (balloon,) = load_path(wild_log("detectron2-iter-lines-balloon-mask-rcnn-run-log-EXCERPT.txt"))
    assert balloon.source.granularity == "step"
    assert balloon.metrics["loss"][:2].tolist() == [1.986, 1.872]  # `total_loss`
    assert {"eta", "max_mem", "iter"}.isdisjoint(balloon.metrics)
    assert balloon.metrics["learning_rate"][-1] == pytest.approx(0.00024917)
    (newer,) = load_path(wild_log("detectron2-iter-lines-level-after-brackets-issue3023-EXCERPT.txt"))
    assert set(newer.metrics) == {"loss", "time", "data_time", "learning_rate"}
    (days,) = load_path(wild_log("detectron2-iter-lines-eta-in-days-readme-EXCERPT.md"))
    assert days.metrics["loss"].tolist() == [1.709, 1.731]
    assert "eta" not in days.metrics


def test_fairseq_step_lines_and_epoch_summaries() -> None:
    # The step's count after the epoch, its `/` between spaces, hid `loss=` (split at ` / `):
    # `nll_loss` was read as the loss.
    (steps,) = load_path(wild_log("fairseq-step-lines-spaced-count-issue940-EXCERPT.txt"))
    assert steps.metrics["loss"].tolist() == [11.521, 11.346, 11.186, 11.039, 10.902]
    assert steps.metrics["nll_loss"][0] == 10.881
    (logged,) = load_path(wild_log("fairseq-train-inner-logging-apollo-issue4-EXCERPT.txt"))
    assert logged.metrics["loss"][0] == 12.834
    # Summaries between step lines: each epoch its summary, the last epoch its last step.
    (summaries,) = load_path(wild_log("fairseq-epoch-summaries-and-steps-issue514-EXCERPT.txt"))
    assert summaries.source.granularity == "epoch"
    assert summaries.metrics["loss"].tolist() == [6.326, 6.233, 6.144]
    assert summaries.metrics["val_loss"][:2].tolist() == [6.43844, 6.37204]
    (early,) = load_path(wild_log("fairseq-early-step-lines-running-mean-issue301-EXCERPT.txt"))
    assert early.metrics["loss"].tolist() == [1.44, 0.75]
    assert early.metrics["val_loss"][0] == 1.94


def test_counts_in_brackets_before_the_fields_are_the_step() -> None:
    # The PyTorch CIFAR-10 tutorial's `[1,  2000] loss: 2.305` (it read as invalid JSON) and a
    # bare `[145] loss: ...` behind `time.asctime()`'s prefix: counters, no fields.
    (tutorial,) = load_path(wild_log("pytorch-tutorial-epoch-step-brackets-cifar10-fl-readme-EXCERPT.md"))
    assert tutorial.source.granularity == "step"
    assert set(tutorial.metrics) == {"loss"}
    assert tutorial.metrics["loss"][[0, 6]].tolist() == [2.127, 1.386]
    (stuck,) = load_path(wild_log("pytorch-tutorial-epoch-step-brackets-mlpvision-stuck-readme-EXCERPT.md"))
    assert stuck.source.skipped  # the per-class accuracies after the run
    (asctime,) = load_path(wild_log("asctime-bare-count-in-brackets-deepglr-issue1-EXCERPT.txt"))
    assert asctime.metrics["loss"][:2].tolist() == [9678.925, 9649.783]


def test_swin_transformer_logger_lines_are_a_point_per_step() -> None:
    # `[time name] (main.py 295): INFO Train: [29/300][2670/2859]\teta 0:01:24 lr 0.000872 ...`:
    # the file and line and the level are the prefix, `eta 0:01:24` a duration.
    (vmamba,) = load_path(wild_log("swin-logger-train-counter-pair-vmamba-issue273-EXCERPT.txt"))
    assert vmamba.source.granularity == "step"
    assert vmamba.metrics["loss"].tolist() == [2.0148, 2.1019, 2.1770, 2.2774]
    assert vmamba.metrics["learning_rate"][0] == 0.000872
    (dnf,) = load_path(wild_log("swin-logger-train-counter-pair-dnf-run-log-EXCERPT.txt"))
    assert dnf.metrics["loss"][0] == 0.10096312


def test_a_step_count_in_parentheses_after_the_epoch_is_the_step() -> None:
    # MiniMind's `Epoch:[0/19](100/24681) loss:5.251 lr:0.00020000 epoch_Time:98.0min:`.
    (run,) = load_path(wild_log("minimind-epoch-step-in-parens-issue26-EXCERPT.txt"))
    assert run.source.granularity == "step"
    assert set(run.metrics) == {"loss", "learning_rate"}
    assert run.metrics["loss"][:2].tolist() == [8.863, 5.251]


def test_a_counter_named_with_a_word_before_it_is_no_curve() -> None:
    # PaddleOCR 2.5's `epoch: [1/5], global_step: 100, ...` (2.0 wrote `iter: 29`).
    (run,) = load_path(wild_log("paddleocr-global-step-eta-in-days-issue9740-EXCERPT.txt"))
    assert "global_step" not in run.metrics
    assert run.metrics["loss"].tolist() == [115.099876, 119.360352]
