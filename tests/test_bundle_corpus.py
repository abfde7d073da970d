"""The generated bundle corpus is well-formed, and the probe benchmark's scoring works on it.

No probe runs here: the benchmark itself (`make bench-probes`) takes minutes. This checks the
labels and splits the numbers come from, builds one small bundle, and scores fake diagnoses.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import zipfile
import zlib
from collections import Counter
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from benchmarks.bench_probes import outcome, score
from diagnosis.bundle import BundleData
from diagnosis.evidence import Context, conclude
from diagnosis.models import Category, Diagnosis, RunSummary, Severity
from testkit.bundle_corpus import (
    BUILDERS,
    CAUSE_CODES,
    CORPUS,
    DATA,
    EDITS,
    HEALTHY,
    HOLDOUT,
    MANIFEST,
    MODELS,
    SEEN,
    SPLITS,
    STEPS,
    TUNE,
    TUNING,
    Entry,
    load_entries,
    select,
)
from testkit.factories import finding

MIN_FAULTY, MIN_HEALTHY = 80, 16
# The fresh holdout: this many new variants of every cause and this many new healthy shapes.
# The sixth round's (written after the fifth holdout was read and retired into 'seen').
FRESH_VARIANTS, FRESH_HEALTHY = 5, 12
# The project keeps at least a third of a labelled corpus held out (167 of 497: round 6's 117
# and round 12's 50; round 11's 32, scored once, retired into 'seen').
HOLDOUT_SHARE = Fraction(1, 3)
# Variants per cause that tuning may look at: two original ones and the first to fifth
# holdouts' (all read and retired).
TUNING_VARIANTS = 9
# Built by the smoke test: numpy data only (no scikit-learn), 1200 samples, a small MLP.
SMOKE_ENTRY = "lr_too_high-adam-5"
# Real programs from public questions, issues and tutorials, each faulty and fixed: the seventh
# round (scored, retired into 'seen'; ten), the eighth (scored, retired; six reproduced), the ninth
# (scored, retired; seven), the tenth (scored once, retired; eleven), the eleventh (scored once,
# retired; sixteen) and the twelfth (the fresh holdout, 25, labelled before any fit), at least
# this many each.
REAL_SPLITS, MIN_REAL_PROGRAMS = {7: SEEN, 8: SEEN, 9: SEEN, 10: SEEN, 11: SEEN, 12: HOLDOUT}, 6
REAL = [e for e in CORPUS if e.source]
ROWS = json.loads(MANIFEST.read_text())["entries"]
# What a few entries build (see _fingerprint), one of each kind of data set, step, network and
# edit that is easy to break; recorded when the one-off builders of rounds 1-6 became recipes,
# and equal to what those builders built. A change to a data set, a step or a model builder
# that alters a bundle shows here.
PINNED = {
    "healthy-digits-cnn": "9511a1a3aa148209",
    "unscaled_features-timestamp-grams": "cb99f2c0a285e6ea",
    "cannot_overfit_batch-frozen-zero-layer": "e590d8cc78473ce9",
    "healthy-normalization-layer": "4d190afa9dce593c",
    "unscaled_targets-one-in-grams-huber": "4ebd60725d7da719",
    "healthy-bidirectional-lstm": "6e349a14c0298b68",
    "train_val_shift-friedman-drifted": "20dda0b55310de3e",
    "saturating_stack-xor-sigmoid-7-bias-5": "7e3089a8ff05bd4a",
    "dead_units-waves-head-bias-minus-10": "4e191a363b490f7f",
    "capacity_too_low-spirals-no-hidden-layer": "db932c3794398e20",
    "real-x4-sigmoid-elu": "ffefa20c20874b9b",
    # The tenth round's: a step on the training arrays alone, and an initializer given as a config.
    "real-images-validation-not-rescaled": "cc055ef07d33ab2b",
    "real-circles-five-tanh-layers": "99567b62b535bcf7",
}


def _entry(name: str) -> Entry:
    return next(e for e in CORPUS if e.name == name)


def _fingerprint(entry: Entry) -> str:
    """A hash of what an entry's bundle holds, built without training: the arrays (dtype, shape,
    bytes), the model's config, its compile config (optimizer, loss), training.json, and which
    weights are constant and at what (an edit that zeroes or shifts a layer shows)."""
    import keras

    keras.backend.clear_session()  # layer names count up within a process
    parts = entry.parts()
    digest = hashlib.sha256()
    data = parts.data
    for array in (data.x_train, data.y_train, data.x_val, data.y_val):
        digest.update(b"-" if array is None else f"{array.dtype}{array.shape}".encode())
        digest.update(b"" if array is None else np.ascontiguousarray(array).tobytes())
    weights = parts.model.get_weights()
    constant = [float(w.flat[0]) if w.size and np.all(w == w.flat[0]) else None for w in weights]
    described = [parts.model.to_json(), parts.model.get_compile_config(), parts.training, constant]
    digest.update(json.dumps(described, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]


def _diagnosis(*codes: tuple[str, Severity]) -> Diagnosis:
    findings = [
        finding(code, severity=severity, confidence=0.8, category=Category.data) for code, severity in codes
    ]
    concluded, verdict = conclude(findings, Context(epochs=0))
    return Diagnosis.from_findings(concluded, RunSummary(epochs=0, metrics=[]), "test", verdict)


def test_corpus_is_large_enough() -> None:
    kinds = Counter("healthy" if e.healthy else "faulty" for e in CORPUS)
    assert kinds["faulty"] >= MIN_FAULTY
    assert kinds["healthy"] >= MIN_HEALTHY


def test_names_are_unique() -> None:
    assert len({e.name for e in CORPUS}) == len(CORPUS)


def test_labels_are_taxonomy_codes() -> None:
    for entry in CORPUS:
        assert entry.expected <= CAUSE_CODES, entry.name
        assert entry.incidental <= CAUSE_CODES, entry.name
        assert not entry.expected & entry.incidental, entry.name
        assert bool(entry.expected) == (entry.fault != HEALTHY), entry.name


def test_a_third_is_held_out_and_every_split_has_both_kinds() -> None:
    held = sum(e.split == HOLDOUT for e in CORPUS)
    assert Fraction(held, len(CORPUS)) >= HOLDOUT_SHARE
    for split in SPLITS:
        chosen = [e for e in CORPUS if e.split == split]
        if split == HOLDOUT and not FRESH_VARIANTS:
            assert not chosen
            continue
        assert any(e.healthy for e in chosen), split
        assert any(not e.healthy for e in chosen), split


def test_every_cause_has_fresh_holdout_variants_and_tuning_sees_the_read_ones() -> None:
    injected = [e for e in CORPUS if not e.source]
    for cause in {e.fault for e in injected if not e.healthy}:
        variants = [e for e in injected if e.fault == cause]
        assert sum(e.split == HOLDOUT for e in variants) == FRESH_VARIANTS, cause
        assert sum(e.split in TUNING for e in variants) == TUNING_VARIANTS, cause
    healthy_held = [e for e in injected if e.healthy and e.split == HOLDOUT]
    assert len(healthy_held) == FRESH_HEALTHY


def test_real_programs_come_faulty_and_fixed_with_their_source_fault_and_fix() -> None:
    rows = {row["name"]: row for row in json.loads(MANIFEST.read_text())["entries"]}
    faulty = [e for e in REAL if not e.healthy]
    assert len(REAL) == 2 * len(faulty)
    assert {(e.round, e.split) for e in REAL} == set(REAL_SPLITS.items())
    for round_ in REAL_SPLITS:
        assert sum(e.round == round_ for e in faulty) >= MIN_REAL_PROGRAMS, round_
    for entry in faulty:
        fixed = _entry(f"{entry.name}-fixed")
        assert fixed.healthy, entry.name
        assert (fixed.source, fixed.round) == (entry.source, entry.round), entry.name
        assert entry.source.startswith("http"), entry.name
        # One builder for both: the fixed program differs from the faulty one by the fix alone
        # (the recipe's parts with the fix applied).
        assert rows[fixed.name]["builder"] == rows[entry.name]["builder"], entry.name
        assert rows[fixed.name]["params"] != rows[entry.name]["params"], entry.name
        assert all(rows[entry.name][key] for key in ("fault", "fix", "note")), entry.name


def test_the_retired_holdout_is_tuning_data_and_selections_partition_the_corpus() -> None:
    assert {e.name for e in select("tuning")} == {e.name for e in CORPUS if e.split in (TUNE, SEEN)}
    assert not {e.name for e in select("tuning")} & {e.name for e in select(HOLDOUT)}
    assert sum(len(select(split)) for split in SPLITS) == len(select("all")) == len(CORPUS)


def test_the_manifest_loads_the_same_entries_and_seeds_each_from_its_name() -> None:
    again = load_entries()
    assert [(e.name, e.split, e.expected, e.incidental, e.seed) for e in again] == [
        (e.name, e.split, e.expected, e.incidental, e.seed) for e in CORPUS
    ]
    assert [e.seed for e in CORPUS] == [zlib.crc32(e.name.encode()) for e in CORPUS]


def test_every_entry_names_a_builder_and_parameters_it_takes() -> None:
    rows = json.loads(MANIFEST.read_text())["entries"]
    assert {row["builder"] for row in rows} <= set(BUILDERS)
    for entry in CORPUS:
        # The builder is called with the generator only (its base and parameters are bound).
        inspect.signature(entry.make).bind(rng=np.random.default_rng(0))


def test_every_recipe_names_registered_parts() -> None:
    for row in ROWS:
        if row["builder"] != "recipe":
            continue
        params = row["params"]
        assert params["data"][0] in DATA, row["name"]
        assert params["model"][0] in MODELS, row["name"]
        assert {step[0] for step in params.get("steps", [])} <= set(STEPS), row["name"]
        assert {edit[0] for edit in params.get("edits", [])} <= set(EDITS), row["name"]


@pytest.mark.parametrize("name", sorted(PINNED))
def test_pinned_entries_build_what_they_built(name: str) -> None:
    assert _fingerprint(_entry(name)) == PINNED[name]


def test_one_bundle_builds_and_holds_what_the_loader_reads(tmp_path: Path) -> None:
    path = _entry(SMOKE_ENTRY).build(tmp_path)
    with zipfile.ZipFile(path) as archive:
        assert {"model.keras", "data.npz", "training.json"} <= set(archive.namelist())


@pytest.mark.parametrize("entry", REAL, ids=[e.name for e in REAL])
def test_every_real_program_builds(entry: Entry, tmp_path: Path) -> None:
    with zipfile.ZipFile(entry.build(tmp_path)) as archive:
        assert {"model.keras", "data.npz", "training.json"} <= set(archive.namelist())


def test_scoring_counts_named_causes_spurious_codes_and_false_alarms() -> None:
    faulty, healthy = _entry(SMOKE_ENTRY), _entry("healthy-regression")
    named = outcome(
        faulty,
        _diagnosis(
            ("lr_too_high", Severity.warning),
            ("loss_diverging", Severity.warning),  # a symptom: reported apart, not spurious
            ("unscaled_features", Severity.warning),  # another cause: spurious
            ("exploding_gradients", Severity.warning),  # incidental to this injection
        ),
        1.0,
    )
    quiet = outcome(healthy, _diagnosis(("lr_too_low", Severity.info)), 1.0)
    alarmed = outcome(healthy, _diagnosis(("unscaled_features", Severity.warning)), 1.0)

    report = score([named, quiet, alarmed])

    assert report["named"] == 1
    assert report["named_rate"] == 1.0
    assert report["false_alarms"] == 1
    assert [b["name"] for b in report["false_alarm_bundles"]] == [healthy.name]
    assert report["spurious_causes_per_faulty"] == 1.0
    assert report["symptoms_per_faulty"] == 1.0
    assert report["per_code"]["lr_too_high"]["recall"] == 1.0
    assert report["per_code"]["unscaled_features"]["precision"] == 0.0
    assert report["per_code"]["exploding_gradients"]["precision"] == 1.0
    assert report["per_cause"]["lr_too_high"] == {"bundles": 1, "named": 1, "recall": 1.0}


@pytest.mark.parametrize("severity", [Severity.info, Severity.warning])
def test_only_warnings_and_errors_name_a_cause(severity: Severity) -> None:
    result = outcome(_entry(SMOKE_ENTRY), _diagnosis(("lr_too_high", severity)), 1.0)
    assert result.detected is (severity is Severity.warning)


def test_the_ninth_rounds_data_sets_hold_what_their_threads_wrote() -> None:
    rng = np.random.default_rng(0)
    x, y = DATA["logistic_curve"](rng, n=111, rate=10.0, sign=-1.0)
    assert x.shape == (111, 1)
    assert float(x.min()) == -1.0
    assert float(x.max()) == 1.0
    assert (y < 0).all()
    assert (y > -1).all()
    images, masks = DATA["bar_masks"](rng, n=50)
    assert images.shape == masks.shape == (50, 12, 12, 1)
    assert set(np.unique(masks)) == {0.0, 255.0}
    # The bar is where the mask is: brighter there by the bar's height (1) less the noise.
    assert images[masks == 255].mean() - images[masks == 0].mean() > 0.8
    pixels, labels = DATA["digit_pixels"](rng)
    assert pixels.shape[1:] == (24, 24)
    assert pixels.max() == 255
    assert len(labels) == len(pixels)


def test_unguarded_standardizing_turns_a_constant_column_into_nan_unless_given_an_epsilon() -> None:
    rng = np.random.default_rng(0)
    x = np.column_stack([rng.normal(size=40), np.ones(40)]).astype(np.float32)
    arrays = BundleData(x[:30], np.zeros(30), x[30:], np.zeros(10))
    raw = STEPS["standardize_raw"](arrays, rng)
    assert raw.x_val is not None
    assert np.isnan(raw.x_train[:, 1]).all()
    assert np.isnan(raw.x_val[:, 1]).all()
    assert np.isfinite(raw.x_train[:, 0]).all()
    assert abs(float(raw.x_train[:, 0].std()) - 1) < 1e-5
    guarded = STEPS["standardize_raw"](arrays, rng, epsilon=1e-6)
    assert guarded.x_val is not None
    assert (guarded.x_train[:, 1] == 0).all()
    assert (guarded.x_val[:, 1] == 0).all()


def test_oversampling_draws_every_training_class_up_to_the_largest() -> None:
    rng = np.random.default_rng(0)
    y = np.array([0] * 50 + [1] * 10 + [2] * 5)
    x = np.arange(len(y), dtype=np.float32)[:, None]
    xv, yv = np.zeros((3, 1), np.float32), np.array([0, 1, 2])
    balanced = STEPS["oversample"](BundleData(x, y, xv, yv), rng)
    assert Counter(balanced.y_train.tolist()) == {0: 50, 1: 50, 2: 50}
    # Copies of the class's own rows (x holds the row number), validation untouched.
    assert (y[balanced.x_train[:, 0].astype(int)] == balanced.y_train).all()
    assert balanced.x_val is xv
    assert balanced.y_val is yv


def test_the_eleventh_rounds_data_sets_hold_what_their_sources_wrote() -> None:
    rng = np.random.default_rng(0)
    x, y = DATA["xor_table"](rng)
    assert x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == [0, 1, 1, 0]
    # Raw days: prices near 700, volumes near a million; the label is the next day's close.
    raw, close = DATA["stock_days"](np.random.default_rng(1), n=300, window=7)
    assert raw.shape == (300, 7, 5)
    assert 100 < float(np.median(raw[:, :, 0])) < 5000
    assert float(np.median(raw[:, :, 3])) > 1e5
    assert np.allclose(raw[1:, -1, 4], close[:-1])
    assert (raw[:, :, 1] >= raw[:, :, 2]).all()
    # Scaled: the same days, every column in [0, 1].
    scaled, target = DATA["stock_days"](np.random.default_rng(1), n=300, window=7, scaled=True)
    assert scaled.min() >= 0.0
    assert scaled.max() <= 1.0
    assert np.allclose(scaled[1:, -1, 4], target[:-1])
    assert np.corrcoef(close, target)[0, 1] > 0.999
    # Word windows: each word is followed by one of three words only, the target is the shift.
    words, nexts = DATA["markov_tokens"](rng, n=3000, vocab=20, steps=3)
    assert words.shape == nexts.shape == (3000, 3)
    assert (words[:, 1:] == nexts[:, :-1]).all()
    pairs = np.concatenate([words[:, :1], nexts], axis=1)
    successors = [len(set(pairs[:, 1:][pairs[:, :-1] == word].tolist())) for word in range(20)]
    assert max(successors) <= 3


def test_a_separate_word_index_renumbers_the_validation_words_by_their_own_frequencies() -> None:
    rng = np.random.default_rng(0)
    # Training frequencies: word 0 > 1 > 2 > 3; validation: 3 > 2 > 1 > 0.
    train = np.array([[0, 0, 0, 0], [1, 1, 1, 2], [2, 3, 0, 1]], dtype=np.int32)
    val = np.array([[3, 3, 3, 3], [2, 2, 2, 1], [1, 0, 3, 2]], dtype=np.int32)
    arrays = BundleData(train, np.zeros(3), val, np.zeros(3))
    moved = STEPS["own_index"](arrays, rng)
    assert moved.x_val is not None
    assert moved.x_train is train
    # The validation's most frequent word takes the training's most frequent word's id, and so on.
    assert moved.x_val.tolist() == [[0, 0, 0, 0], [1, 1, 1, 2], [2, 3, 0, 1]]
    assert moved.x_val.dtype == val.dtype
    # Sets with the same frequency ranking keep their ids.
    same = STEPS["own_index"](BundleData(train, np.zeros(3), train[::-1].copy(), np.zeros(3)), rng)
    assert same.x_val is not None
    assert same.x_val.tolist() == train[::-1].tolist()


def test_the_twelfth_rounds_data_sets_and_label_shuffle_hold_what_their_sources_wrote() -> None:
    rng = np.random.default_rng(0)
    # A source's own rows, as written.
    x, y = DATA["table"](rng, x=((73, 80, 75), (93, 88, 93)), y=(152, 185))
    assert x.tolist() == [[73, 80, 75], [93, 88, 93]]
    assert y.tolist() == [152, 185]
    assert x.dtype == y.dtype == np.float32
    # Sums: the target is the row's sum, and most of them lie above tanh's ceiling of 1.
    terms, sums = DATA["sums"](rng, n=2000, high=1.5)
    assert terms.shape == (2000, 2)
    assert float(terms.min()) >= 0
    assert float(terms.max()) < 1.5
    assert np.allclose(sums, terms.sum(axis=1))
    assert (sums > 1).mean() > 0.6
    # Shuffled labels: the same labels over other rows; validation untouched.
    labels = np.arange(200) % 10
    xv, yv = np.zeros((3, 1), np.float32), np.array([0, 1, 2])
    shuffled = STEPS["permute_labels"](BundleData(np.zeros((200, 1)), labels, xv, yv), rng)
    assert sorted(shuffled.y_train.tolist()) == sorted(labels.tolist())
    assert (shuffled.y_train != labels).mean() > 0.8
    assert shuffled.y_val is yv


def test_the_twelfth_rounds_disk_and_ring_hold_what_the_question_drew() -> None:
    x, y = DATA["disk_ring"](np.random.default_rng(0), n=200)
    assert x.shape == (400, 2)
    assert Counter(y.tolist()) == {0: 200, 1: 200}
    radius = np.hypot(x[:, 0], x[:, 1])
    assert radius[y == 0].max() <= 1.0
    assert radius[y == 1].min() >= 2.0
    assert radius[y == 1].max() <= 3.0
    # Interleaved, not stored class by class.
    assert 0 < y[:200].mean() < 1


def test_the_logistic_step_squashes_training_and_validation_targets_into_the_unit_interval() -> None:
    rng = np.random.default_rng(0)
    targets, val_targets = np.array([-3.0, 0.0, 1.0, 3.0]), np.array([0.0, -1.0])
    arrays = BundleData(np.zeros((4, 1)), targets, np.zeros((2, 1)), val_targets)
    squashed = STEPS["logistic_y"](arrays, rng)
    assert squashed.y_val is not None
    assert np.allclose(squashed.y_train, 1 / (1 + np.exp(-arrays.y_train)))
    assert squashed.y_train[1] == 0.5
    assert np.allclose(squashed.y_val, [0.5, 1 / (1 + np.e)])
    assert squashed.y_train.dtype == np.float32
