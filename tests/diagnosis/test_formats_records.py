"""Layouts of hand-written training loops and loggers (a line per epoch, names of several
words, `:` or `=`) and verbose=2 output pasted without its newlines: read by the console
reader's tolerant tokenizer, never by a pattern per file."""

from __future__ import annotations

import math

import pytest

from diagnosis.formats import load_runs
from diagnosis.formats.console import NO_EPOCHS
from diagnosis.history import HistoryError

RECORD_LAYOUTS = {
    # loguru's `time | LEVEL | module:function:line - message`, an epoch line then its fields (w1214).
    "loguru, fields under the epoch line": (
        "2019-11-22 15:36:56.690 | INFO     | bert_sentiment.train:train:86  - epoch=1\n"
        "2019-11-22 13:27:47.669 | INFO     | bert_sentiment.train:train:88 - "
        "train_loss=0.0481, val_loss=0.0378\n"
        "\n.....\n\n"
        "2019-11-22 15:36:56.690 | INFO     | bert_sentiment.train:train:86 - epoch=29\n"
        "2019-11-22 15:36:56.690 | INFO     | bert_sentiment.train:train:88 - "
        "train_loss=0.0010, val_loss=0.0916\n"
        "2019-11-22 15:36:56.690 | SUCCESS  | bert_sentiment.train:train:98 - Done!\n",
        {"loss": [0.0481, 0.0010], "val_loss": [0.0378, 0.0916]},
    ),
    # A count and the share it makes, the PyTorch MNIST example's accuracy (w1204, blockquoted).
    "count with its share": (
        "> [Epoch 1] Accuracy: 215/500 (0.43) Loss: 1.7700883\n"
        "> [Epoch 2] Accuracy: 282/500 (0.564) Loss: 1.4064155\n"
        "> [Epoch 3] Accuracy: 9890/10000 (99%) Loss: 0.0335\n",
        {"accuracy": [0.43, 0.564, 0.99], "loss": [1.7700883, 1.4064155, 0.0335]},
    ),
    # `name value` pairs, step lines then the epoch's summary (the TensorFlow tutorials', w1217).
    "bare pairs, step lines and a summary": (
        "Epoch 1 Batch 0 Loss 4.4481 Accuracy 0.0000\nEpoch 1 Batch 500 Loss 3.6211 Accuracy 0.0405\n"
        "Epoch 1 Loss 3.3870 Accuracy 0.0524\nTime taken for 1 epoch: 630.2422263622284 secs\n\n"
        "Epoch 2 Batch 0 Loss 2.7912 Accuracy 0.1001\nEpoch 2 Loss 2.3831 Accuracy 0.1230\n",
        {"loss": [3.3870, 2.3831], "accuracy": [0.0524, 0.1230]},
    ),
    # Counts before the fields on Python logging lines, an average named as the loss (w1209).
    "counts, then an average loss": (
        "INFO:root:68 epochs, 480 batches\tAvg batch loss: 0.069513\tValidation loss: 2.792187\n"
        "INFO:root:69 epochs, 490 batches\tAvg batch loss: 0.072354\tValidation loss: 3.593376\n",
        {"loss": [0.069513, 0.072354], "val_loss": [2.792187, 3.593376]},
    ),
    # A step counter and `name value` fields after a timestamp (cnn-text-classification, w1236).
    "step lines, bare fields": (
        "2018-03-21T13:56:22.703288: step 3866, loss 0.43315, acc 0.90625\n"
        "2018-03-21T13:56:34.078052: step 3867, loss 0.479325, acc 0.851562\n",
        {"loss": [0.43315, 0.479325], "accuracy": [0.90625, 0.851562]},
    ),
    # A custom loop printing ` - ` between fields, loss only (a regression, values in the 100s).
    "dash, spaces in names": (
        "Epoch 1: train loss: 1041.52 - validation loss: 1045.89\n"
        "Epoch 2: train loss: 750.78  - validation loss: 749.95\n"
        "Epoch 3: train loss: 425.88  - validation loss: 423.35\n",
        {"loss": [1041.52, 750.78, 425.88], "val_loss": [1045.89, 749.95, 423.35]},
    ),
    # Python logging with a timestamp and `=`.
    "logging, equals": (
        "2023-05-15 22:50:17,398 INFO:Epoch 1: Train Loss=0.0717, Val Loss=0.0766\n"
        "2023-05-15 22:50:21,707 INFO:Epoch 2: Train Loss=0.0578, Val Loss=0.0507\n",
        {"loss": [0.0717, 0.0578], "val_loss": [0.0766, 0.0507]},
    ),
    # Python logging without a level (`%(asctime)s - %(message)s`), after a shell prompt, each
    # epoch a block under its header (w382).
    "logging without a level, blocks": (
        "(venv) user@host:~/gnn$ python train_model.py\n"
        "2024-11-25 00:30:45,381 - Starting training...\n"
        "2024-11-25 00:30:45,381 - Epoch 1/2\n"
        "2024-11-25 00:31:00,542 - Train Loss: 31.9717, Accuracy: 0.8737\n"
        "2024-11-25 00:31:03,464 - Validation Loss: 5.9207, Accuracy: 0.9121\n"
        "2024-11-25 00:31:03,552 - Epoch 2/2\n"
        "2024-11-25 00:31:13,394 - Train Loss: 24.6577, Accuracy: 0.9128\n"
        "2024-11-25 00:31:16,313 - Validation Loss: 5.8896, Accuracy: 0.9121\n",
        {
            "loss": [31.9717, 24.6577],
            "accuracy": [0.8737, 0.9128],
            "val_loss": [5.9207, 5.8896],
            "val_accuracy": [0.9121, 0.9121],
        },
    ),
    # An epoch's line alone, its fields on the lines under it, `name value` without a colon,
    # blank lines between epochs (w782).
    "epoch line, fields under it": (
        "Epoch 0: \nTrain loss 0.347656\nValid loss: 5.1115\n\n"
        "Epoch 1: \nTrain loss 0.219913\nValid loss: 3.2819\n",
        {"loss": [0.347656, 0.219913], "val_loss": [5.1115, 3.2819]},
    ),
    # A duration among the fields, a test line and other prints under the epoch's line (w786).
    "bracketed epoch, test lines under it": (
        "[Epoch 1] Train Loss=0.9544 T=207.711814s\nTest loss=0.9014\nOutput Distribution={2: 1120}\n"
        "---\n[Epoch 2] Train Loss=0.9511 T=223.582632s\nTest loss=0.9013\nOutput Distribution={2: 1120}\n",
        {"loss": [0.9544, 0.9511], "val_loss": [0.9014, 0.9013]},
    ),
    # The split named before `of Epoch` (w840).
    "split of epoch": (
        "Training of Epoch 0 - loss: inf\nValidation of Epoch 0 - loss: 95.800559\n"
        "Training of Epoch 1 - loss: inf\nValidation of Epoch 1 - loss: 81.028593\n",
        {"loss": [math.inf, math.inf], "val_loss": [95.800559, 81.028593]},
    ),
    # A bracketed time, the epoch's header then its mean loss; an evaluation's block after
    # some epochs; a step's line inside the first (w837's mmskeleton log).
    "bracketed time, epoch headers, mean loss": (
        "[02.06.24|21:04:38] Training epoch: 0\n"
        "[02.06.24|21:13:26] \tIter 0 Done. | loss: 1.4058 | lr: 0.01\n"
        "[02.06.24|21:13:31] \tmean_loss: 1.3\n[02.06.24|21:13:31] Done.\n"
        "[02.06.24|21:13:31] Training epoch: 1\n[02.06.24|21:13:40] \tmean_loss: 1.2\n"
        "[02.06.24|21:13:40] Eval epoch: 1\n[02.06.24|21:13:47] \tmean_loss: 1.25\n"
        "[02.06.24|21:13:47] \tTop1: 25.00%\n[02.06.24|21:13:47] Training epoch: 2\n",
        {"loss": [1.3, 1.2], "val_loss": [math.nan, 1.25], "val_top1": [math.nan, 0.25]},
    ),
    # The total in words, a space before each colon (w793).
    "completed out of": (
        "Epoch : 0 completed out of 100, loss : 316.90, accuracy : 0.734375\n"
        "Epoch : 1 completed out of 100, loss : 201.26, accuracy : 0.83984375\n",
        {"loss": [316.90, 201.26], "accuracy": [0.734375, 0.83984375]},
    ),
    # A loss printed as a one-element numpy array, `acc 0.497` after a space (w787).
    "numpy array values, no colons": (
        "epoch 0 loss [0.69790334]; acc 0.497\nepoch 1 loss [0.69498737]; acc 0.500\n",
        {"loss": [0.69790334, 0.69498737], "accuracy": [0.497, 0.500]},
    ),
    # A VAE's total loss beside its parts, behind a timestamp and a `# =====>` (w791).
    "total loss beside its parts": (
        "2020-08-15 07:13:21     # =====> Epoch: 2457 Average gen loss = 0.838749, KLD = 3.326967, "
        "total loss = 0.839008; Finished in 0:03:07.132678\n"
        "2020-08-15 07:17:01     # =====> Epoch: 2458 Average gen loss = nan, KLD = 4347.587754, "
        "total loss = nan; Finished in 0:03:02.530018\n",
        {
            "average_gen_loss": [0.838749, math.nan],
            "kld": [3.326967, 4347.587754],
            "loss": [0.839008, math.nan],
        },
    ),
    # Bracketed epoch numbers and Keras' own short names mixed with words.
    "brackets, mixed names": (
        "epoch [1]: training loss: 2.27 - acc: 0.50 - val_loss: 3.29 - val_acc: 0.49\n"
        "epoch [2]: training loss: 1.55 - acc: 0.50 - val_loss: 0.92 - val_acc: 0.50\n",
        {
            "loss": [2.27, 1.55],
            "accuracy": [0.50, 0.50],
            "val_loss": [3.29, 0.92],
            "val_accuracy": [0.49, 0.50],
        },
    ),
    # Fields with and without a colon in one part, a sentence's full stop after the last (w1424,
    # PairNorm).
    "colon and bare fields mixed, a full stop": (
        "Epoch 1268: train loss 0.158 train acc: 0.979, val loss: 1.063 val acc 0.718.\n"
        "Epoch 1269: train loss 0.152 train acc: 0.964, val loss: 1.064 val acc 0.716.\n",
        {
            "loss": [0.158, 0.152],
            "accuracy": [0.979, 0.964],
            "val_loss": [1.063, 1.064],
            "val_accuracy": [0.718, 0.716],
        },
    ),
    # `Epoch: N/M,` then comma-separated fields, NaN losses.
    "colon after Epoch, commas, nan": (
        "Epoch: 0/2, train loss: nan, train accuracy: 0.10688, valid loss: nan, valid accuracy: 0.10680\n",
        {"loss": [math.nan], "accuracy": [0.10688], "val_loss": [math.nan], "val_accuracy": [0.10680]},
    ),
}


def _same(got: list[float], want: list[float]) -> bool:
    return len(got) == len(want) and all(
        (math.isnan(g) and math.isnan(w)) or g == pytest.approx(w) for g, w in zip(got, want, strict=True)
    )


@pytest.mark.parametrize("layout", sorted(RECORD_LAYOUTS))
@pytest.mark.parametrize("name", ["log.txt", "log.log"])
def test_a_line_per_epoch_is_read_whatever_its_names_and_separators(layout: str, name: str) -> None:
    text, expected = RECORD_LAYOUTS[layout]
    [run] = load_runs(text.encode(), name)
    assert sorted(run.metrics) == sorted(expected)
    for metric, values in expected.items():
        assert _same([float(v) for v in run.metrics[metric]], values), metric


def test_fields_after_the_last_epoch_are_an_evaluation_skipped_and_said() -> None:
    text = "Epoch 1/3 | Loss: 0.69\nEpoch 2/3 | Loss: 0.60\nEpoch 3/3 | Loss: 0.59\n"
    text += "Accuracy : 0.748\nF1 Score : 0.569\n"
    [run] = load_runs(text.encode(), "log.txt")
    assert list(run.metrics) == ["loss"]
    assert run.source.skipped[0].lines == "4-5"
    assert "final evaluation" in run.source.skipped[0].reason


def test_a_paste_from_inside_one_epoch_is_read_per_step() -> None:
    # Step lines of one epoch (w845): too few epochs for a curve, so each line is a point.
    text = "".join(
        f"[2021-07-14 02:09:40.075967] Train epoch: 0, batch: {b}/34799, loss: {loss}, learning rate: 1e-4\n"
        for b, loss in [(750, 6.70559), (760, 6.64842), (770, "nan")]
    )
    [run] = load_runs(text.encode(), "log.txt")
    assert run.source.granularity == "step"
    assert _same(run.metrics["loss"].tolist(), [6.70559, 6.64842, math.nan])


def test_lines_that_count_steps_are_points_and_an_evaluation_at_a_step_is_skipped() -> None:
    # w838: decorated step lines, an evaluation repeating the step it ran at.
    text = (
        "= >   step: 8 loss: 0.6931 accuracy:0.65\n= >   step: 9 loss: 0.6931 accuracy:0.60\n"
        "= >  = = = = = =  > > > > > >    step: 9 loss: 0.6931 accuracy:0.66\n"
        "= >   step: 10 loss: 0.6931 accuracy:0.70\n"
    )
    [run] = load_runs(text.encode(), "log.txt")
    assert run.source.granularity == "step"
    assert run.metrics["accuracy"].tolist() == pytest.approx([0.65, 0.60, 0.70])
    assert run.source.skipped[0].lines == "3"


def test_a_restarted_epoch_count_is_a_second_run() -> None:
    text = "Epoch 1: train loss: 0.9\nEpoch 2: train loss: 0.7\nEpoch 1: train loss: 0.8\n"
    assert [run.epochs for run in load_runs(text.encode(), "log.txt")] == [2, 1]


def test_callback_messages_in_a_keras_log_do_not_become_epochs() -> None:
    text = (
        "Epoch 1/2\n10/10 [==============================] - 1s 5ms/step - loss: 0.70 - val_loss: 0.69\n"
        "Epoch 1: val_loss improved from inf to 0.69000, saving model to best.h5\n"
        "Epoch 2/2\n10/10 [==============================] - 1s 5ms/step - loss: 0.60 - val_loss: 0.65\n"
        "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.0001.\n"
    )
    [run] = load_runs(text.encode(), "log.txt")
    assert [float(v) for v in run.metrics["loss"]] == [0.70, 0.60]


@pytest.mark.parametrize(
    "text",
    [
        # Keras 2 verbose=2 with `acc`, the first header lost.
        "- 67s - loss: 0.0767 - acc: 0.9750 - val_loss: 0.6755 - val_acc: 0.8412 Epoch 27/30 - 67s"
        " - loss: 0.1039 - acc: 0.9630 - val_loss: 0.3671 - val_acc: 0.9018 Epoch 28/30 - 66s - loss:"
        " 0.0639 - acc: 0.9775 - val_loss: 0.5 - val_acc: 0.90",
        # Keras 2.3+ verbose=2 with per-step timings, headers kept.
        "Epoch 1/3 - 3s - 12ms/step - loss: 0.51 - accuracy: 0.80 Epoch 2/3 - 2s - 11ms/step - loss:"
        " 0.42 - accuracy: 0.85 Epoch 3/3 - 2s - 11ms/step - loss: 0.0639 - accuracy: 0.90",
    ],
)
def test_verbose_2_output_on_one_line_is_an_epoch_per_header(text: str) -> None:
    [run] = load_runs(text.encode(), "log.txt")
    assert run.epochs == 3
    assert float(run.metrics["loss"][-1]) == pytest.approx(0.0639)


def test_lines_of_words_without_epochs_get_the_expected_layouts() -> None:
    with pytest.raises(HistoryError) as error:
        load_runs(b"training started: batch size: 32\nall done\n", "log.txt")
    assert str(error.value) == NO_EPOCHS
    assert "a line per epoch" in NO_EPOCHS


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            '{"train_losses": [1.28, 0.90, 0.16], "val_losses": [0.95, 0.91, 1.30],'
            ' "train_accs": [0.54, 0.69, 0.95]}',
            "h.json",
        ),
        (
            "epoch,losses,val_losses,val_accuracies\n1,1.28,0.95,0.6\n2,0.90,0.91,0.6\n3,0.16,1.30,0.7\n",
            "h.csv",
        ),
        # ... or under the curve's name and `_history`, beside a run's settings.
        (
            '{"model": "cnn", "train_loss_history": [1.28, 0.90, 0.16], "valLossHistory": [0.95, 0.91, 1.30],'
            ' "train_acc_history": [0.54, 0.69, 0.95], "history": "kept per epoch"}',
            "h.json",
        ),
    ],
)
def test_lists_named_in_the_plural_are_the_metrics_they_hold(text: str, name: str) -> None:
    [run] = load_runs(text.encode(), name)
    assert [float(v) for v in run.metrics["loss"]] == [1.28, 0.90, 0.16]
    assert [float(v) for v in run.metrics["val_loss"]] == [0.95, 0.91, 1.30]
    assert "accuracy" in run.metrics or "val_accuracy" in run.metrics


@pytest.mark.parametrize(
    "text",
    [
        # pandas without its index: the loss NaN from the first epoch, its column left empty.
        "loss,accuracy,val_loss,val_accuracy\n,0.7987,,0.7998\n,0.7999,,0.7998\n,0.7999,,0.7998\n",
        # pandas with its index column, both losses NaN throughout.
        ",loss,val_loss,lr\n0,,,0.001\n1,,,0.001\n2,,,0.001\n",
    ],
)
def test_a_column_no_row_fills_is_pandas_nan(text: str) -> None:
    [run] = load_runs(text.encode(), "h.csv")
    assert run.epochs == 3
    assert math.isnan(float(run.metrics["loss"][-1]))
    assert math.isnan(float(run.metrics["val_loss"][-1]))


@pytest.mark.parametrize(
    "text",
    [
        "epoch,loss,val_loss\n0,0.9,0.8\n1,0.8,\n2,0.7,0.6\n",
        # Padded as DySPN's log is (w1449): `    7 ,  731.0956 ,`.
        "Epoch ,RMSE_Train ,RMSE_Val\n    0 , 0.9 ,0.8\n    1 , 0.8 ,\n    2 , 0.7 , 0.6\n",
        "epoch,loss,val_loss\n0,0.9,0.8\n1,0.8,NA\n2,0.7,0.6\n",
    ],
)
def test_an_empty_cell_among_values_is_a_value_not_logged(text: str) -> None:
    [run] = load_runs(text.encode(), "h.csv")
    assert math.isnan(float(run.metrics["val_loss"][1]))
    assert run.source.not_logged == {"val_loss": [1]}


def test_an_empty_tail_after_values_in_every_row_is_pandas_nan() -> None:
    # pd.DataFrame(history.history).to_csv() of a loss that diverged at the third epoch.
    [run] = load_runs(b"loss,accuracy,val_loss\n0.5,0.6,0.4\n0.4,0.7,0.3\n,0.1,\n,0.1,\n", "h.csv")
    assert math.isnan(float(run.metrics["loss"][-1]))
    assert run.source.not_logged == {}
    # A column with a gap before its tail skips epochs on a cadence: its tail is more gaps.
    [run] = load_runs(b"loss,val_loss\n0.5,0.4\n0.4,\n0.3,0.3\n0.2,\n0.1,\n", "h.csv")
    assert run.source.not_logged == {"val_loss": [1, 3, 4]}


def test_a_printed_nan_is_logged() -> None:
    [run] = load_runs(b"epoch,loss,val_loss\n0,0.9,0.8\n1,0.8,nan\n2,0.7,0.6\n", "h.csv")
    assert math.isnan(float(run.metrics["val_loss"][1]))
    assert run.source.not_logged == {}


def test_csvlogger_na_is_a_metric_not_logged_not_nan() -> None:
    [run] = load_runs(b"epoch,loss,val_loss\n0,0.9,NA\n1,0.8,NA\n", "h.csv")
    assert "val_loss" not in run.metrics


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # A hand-written export (pandas to_csv of formatted strings) with accuracies in percent.
        (
            b"Epoch,Train_Loss,Val_Loss,Train_Acc,Val_Acc\n1,0.226,0.0739,93.14%,97.90%\n"
            b"2,0.0826,0.0519,97.55%,98.54%\n3,0.0581,0.0462,98.2%,98.6%\n",
            "h.csv",
        ),
        # A NumPy loop's lines every few steps, the last of each epoch its result.
        (
            b"  Epoch 1/3 | Step 500/1000 | Loss: 1.6937 | Accuracy: 40.0%\n"
            b"  Epoch 1/3 | Step 1000/1000 | Loss: 1.2973 | Accuracy: 93.14%\n"
            b"  Epoch 2/3 | Step 1000/1000 | Loss: 0.8069 | Accuracy: 97.55%\n"
            b"  Epoch 3/3 | Step 1000/1000 | Loss: 0.7147 | Accuracy: 98.2%\n",
            "log.txt",
        ),
    ],
)
def test_a_value_written_in_percent_is_read_as_the_share_it_is(text: bytes, name: str) -> None:
    [run] = load_runs(text, name)
    assert run.epochs == 3
    assert run.metrics["accuracy"].tolist() == pytest.approx([0.9314, 0.9755, 0.982])
    assert float(run.metrics["loss"][0]) in (0.226, 1.2973)


# Lines that name no `loss`: the name LOSS_PRECEDENCE picks is read as the loss, whatever counters
# lead the line (a pass and a batch, `iterations:`, a step with its total) or words say the value.
UNNAMED_LOSS_LAYOUTS = {
    # PaddlePaddle's event_handler (w1419): two counters, `Cost` after a space.
    "pass, batch, cost": (
        "Pass 0, Batch 0, Cost 0.69\nPass 0, Batch 1, Cost 0.52\nPass 1, Batch 0, Cost 0.40\n",
        [0.69, 0.52, 0.40],
    ),
    # brain.js (w1416): the counter with a colon, the error is the loss.
    "iterations, training error": (
        "iterations: 0 training error: 0.074\niterations: 10 training error: 0.114\n",
        [0.074, 0.114],
    ),
    # synaptic/neataptic (w1417, w1418): a rate beside the error is no loss.
    "iterations, error, rate": (
        "iterations 5000 error 0.0009 rate 0.06\niterations 10000 error 0.0006 rate 0.06\n",
        [0.0009, 0.0006],
    ),
    # DL4J's ScoreIterationListener (w1415): the value said in words.
    "score at iteration": (
        "o.d.o.l.ScoreIterationListener - Score at iteration 0 is 2.47\n"
        "o.d.o.l.ScoreIterationListener - Score at iteration 10 is 1.18\n",
        [2.47, 1.18],
    ),
    # OpenNMT-py (w1423): the cross-entropy before the perplexity; a throughput is no field.
    "step with total, xent before ppl": (
        "[2018-09-20 15:18:39,264 INFO] Step 100/1000; acc:  42.02; ppl: 55.22; xent: 4.01; "
        "lr: 0.00000; 2214/2168 tok/s;    950 sec\n"
        "[2018-09-20 15:18:42,264 INFO] Step 200/1000; acc:  42.10; ppl: 53.60; xent: 3.98; "
        "lr: 0.00000; 2210/2160 tok/s;    953 sec\n",
        [4.01, 3.98],
    ),
    # nntrainer (w1408): `#` and the count lead the line, `>> [` opens the validation fields.
    "hash count, validation in brackets": (
        "#1/1500 - Training Loss: 2.6908 >> [ Accuracy: 8.66935% - Validation Loss : 2.5895 ] \n"
        "#2/1500 - Training Loss: 2.52329 >> [ Accuracy: 9.57661% - Validation Loss : 2.46496 ] \n",
        [2.6908, 2.52329],
    ),
    # MADlib's verbose MLP (w1409): the value in angle brackets, a CONTEXT line between.
    "value in angle brackets": (
        'INFO:  Iteration: 1, Loss: <1.57403083382>\nCONTEXT:  PL/Python function "mlp_classification"\n'
        "INFO:  Iteration: 2, Loss: <1.18209701678>\n",
        [1.57403083382, 1.18209701678],
    ),
    # A person's remarks behind arrows after some lines' fields (w1445).
    "key=value, remarks behind arrows": (
        "step=165  loss=2.39   gnorm=7.1\nstep=220  loss=1.43   gnorm=7.7    \u2190 BEST\n"
        "step=275  loss=5.82   gnorm=15.6   <- diverging\n",
        [2.39, 1.43, 5.82],
    ),
    # Caffe's solver (w1413): a remark in brackets after the counter; `lr` lines are no steps.
    "caffe iteration lines": (
        "I0413 14:35:44.386499 22206 solver.cpp:242] Iteration 40 (0.26 iter/s, 149.3s/40 iter), "
        "loss = 0.71\n"
        "I0413 14:35:44.386625 22206 sgd_solver.cpp:106] Iteration 40, lr = 1e-05\n"
        "I0413 14:38:13.611971 22206 solver.cpp:242] Iteration 80 (0.26 iter/s, 149.2s/40 iter), "
        "loss = 0.65\n",
        [0.71, 0.65],
    ),
    # CNTK's minibatch lines (w1411, w1412): `Minibatch[...]` counts the steps of one epoch, a
    # value's sample count (`\\*` where markdown escaped it) is no part of it.
    "cntk minibatch lines": (
        ">  Epoch[1002 of 5000]-Minibatch[ 271- 280, 0.00000000000061%]: error = 161233.92000000 \\* 1000; "
        "time = 0.0159s; samplesPerSecond = 62703.8\n"
        ">  Epoch[1002 of 5000]-Minibatch[ 281- 290, 0.00000000000063%]: error = 161230.33600000 \\* 1000; "
        "time = 0.0151s; samplesPerSecond = 66440.8\n",
        [161233.92, 161230.336],
    ),
    # MXNet's Speedometer (w1429): a tab before each name, hyphenated names, an epoch's summary
    # over several lines after its batch lines.
    "mxnet epoch lines": (
        "Epoch[0] Batch [100]\tSpeed: 133.53 samples/sec\tTrain-CrossEntropy=2.76\n"
        "Epoch[0] Train-CrossEntropy=2.31\nEpoch[0] Train-accuracy=0.41\nEpoch[0] Time cost=389.625\n"
        "Epoch[0] Validation-CrossEntropy=2.35\n"
        "Epoch[1] Batch [100]\tSpeed: 142.84 samples/sec\tTrain-CrossEntropy=2.01\n"
        "Epoch[1] Train-CrossEntropy=1.95\nEpoch[1] Train-accuracy=0.52\nEpoch[1] Time cost=368.338\n"
        "Epoch[1] Validation-CrossEntropy=2.05\n",
        [2.31, 1.95],
    ),
}


@pytest.mark.parametrize("layout", sorted(UNNAMED_LOSS_LAYOUTS))
def test_step_lines_of_other_frameworks_read_their_objective_as_the_loss(layout: str) -> None:
    text, losses = UNNAMED_LOSS_LAYOUTS[layout]
    [run] = load_runs(text.encode(), "log.txt")
    assert _same([float(v) for v in run.metrics["loss"]], losses)


def test_loss_precedence_prefers_the_cross_entropy_and_names_holding_loss() -> None:
    from diagnosis.formats.columns import loss_candidate

    assert loss_candidate(["accuracy", "ppl", "xent", "learning_rate"]) == "xent"
    assert loss_candidate(["loss_per_sample", "error"]) == "loss_per_sample"
    assert loss_candidate(["cost", "error"]) == "cost"
    assert loss_candidate(["perplexity", "val_perplexity"]) == "perplexity"
    assert loss_candidate(["loss", "error"]) is None
    assert loss_candidate(["time_cost", "accuracy"]) is None


def test_a_first_line_cut_inside_its_first_word_is_read() -> None:
    # OpenNMT-py (w1428): the paste's selection began after the `E` of `Epoch`.
    text = "poch  1, 12850/37527; acc:   3.99; ppl: 12792.57; xent:   9.46; 3438 src tok/s\n" + "".join(
        f"Epoch  1, {s}/37527; acc:   4.48; ppl: 35173.75; xent:  {x}; 3599 src tok/s\n"
        for s, x in ((12900, 10.47), (12950, 10.67))
    )
    [run] = load_runs(text.encode(), "log.txt")
    assert run.metrics["loss"].tolist() == [9.46, 10.47, 10.67]
    # wav2letter (w1443): `epoch` in lower case, a colon right after the cut word.
    text = "poch:1 loss:91.69394 | train-TER:132.33 \nepoch:1 loss:89.60210 | train-TER:100.00 \n"
    [run] = load_runs(text.encode(), "log.txt")
    assert run.metrics["loss"].tolist() == [91.69394, 89.60210]
