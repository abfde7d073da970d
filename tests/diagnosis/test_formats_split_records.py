"""Epoch records people paste from PyTorch loops (issue 13) whose epoch is named without the
word (`Train [29/30][9/298]`) or whose fields are a dict glued to a label (`EPOCH 1 TRAIN
METRICS{...}`). The excerpts are verbatim lines of the seed-6879 holdout logs named beside them
(scored once; quoted here, not read from the corpus, while their split is still `holdout`)."""

from __future__ import annotations

from diagnosis.formats import load_runs

# PeihaoChen/RSPNet#3 (w2022): a split word, the epoch and the step as a counter pair, top-k
# accuracies named with `@`, each value then its meter's mean in brackets.
RSPNET_STEPS = (
    "2021-07-08 02:04:46,988|INFO    |Train epoch begin.\n"
    "2021-07-08 02:04:50,179|INFO    |Train [29/30][9/298]   Loss 0.164545 (0.105715)        "
    "Acc@1 100.00 ( 97.50)   Acc@5 100.00 (100.00)\n"
    "2021-07-08 02:04:53,112|INFO    |Train [29/30][19/298]  Loss 0.404558 (0.105021)        "
    "Acc@1  87.50 ( 97.50)   Acc@5 100.00 (100.00)\n"
    "2021-07-08 02:04:56,055|INFO    |Train [29/30][29/298]  Loss 0.007631 (0.098247)        "
    "Acc@1 100.00 ( 97.92)   Acc@5 100.00 ( 99.58)\n"
)

# likyoo/Siam-NestedUNet#15 (w2042): the split after the epoch, the fields a dict glued to a label.
SIAM_EPOCHS = (
    "INFO:root:SET model mode to train!\n"
    "INFO:root:EPOCH 1 TRAIN METRICS{'cd_losses': 0.7842114759609103, 'cd_corrects': "
    "92.41285269260406, 'cd_precisions': 0.6882918446376274, 'cd_recalls': 0.0003181783352481297, "
    "'cd_f1scores': 0.00011667645251179926, 'learning_rate': 0.0010000000000000005}\n"
    "INFO:root:EPOCH 1 VALIDATION METRICS{'cd_losses': 0.7814765771329403, 'cd_corrects': "
    "92.29060640335084, 'cd_precisions': 0.989, 'cd_recalls': 0.0, 'cd_f1scores': 0.0, "
    "'learning_rate': 0.0010000000000000005}\n"
    "INFO:root:updata the model\n"
    "An epoch finished.\n"
    "INFO:root:SET model mode to train!\n"
    "INFO:root:EPOCH 2 TRAIN METRICS{'cd_losses': 0.775984840631485, 'cd_corrects': "
    "92.43268837928773, 'cd_precisions': 0.9304801363001134, 'cd_recalls': 0.00017023063037293365, "
    "'cd_f1scores': 0.00011852969875493522, 'learning_rate': 0.0010000000000000005}\n"
)


def test_a_split_word_before_a_counter_pair_names_the_epoch_and_its_step() -> None:
    [run] = load_runs(RSPNET_STEPS.encode(), "log.txt")
    # One epoch's steps: each step line is a point, its value the step's, not the mean's.
    assert run.source.granularity == "step"
    assert run.metrics["loss"].tolist() == [0.164545, 0.404558, 0.007631]
    # Top-1 accuracy is the run's accuracy (columns.ACCURACY_SPELLINGS); top-5 keeps its name.
    assert run.metrics["accuracy"].tolist() == [100.0, 87.5, 100.0]
    assert "acc_5" in run.metrics


def test_a_dict_glued_to_a_label_holds_the_fields_of_the_split_after_the_epoch() -> None:
    [run] = load_runs(SIAM_EPOCHS.encode(), "log.txt")
    assert run.metrics["loss"].tolist() == [0.7842114759609103, 0.775984840631485]
    # The validation line is the same epoch's, its split named after the epoch number.
    assert run.metrics["val_loss"].tolist()[0] == 0.7814765771329403
    assert run.metrics["cd_recalls"].tolist() == [0.0003181783352481297, 0.00017023063037293365]


def test_a_split_word_after_the_epoch_that_is_a_field_names_no_label() -> None:
    [run] = load_runs(
        b"Epoch 1: test loss: 0.52, loss: 0.61\nEpoch 2: test loss: 0.47, loss: 0.55\n", "log.txt"
    )
    assert run.metrics["loss"].tolist() == [0.61, 0.55]
