"""Reading Keras History JSON."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diagnosis import HistoryError, TrainingHistory
from diagnosis.formats import load_runs
from diagnosis.history import decode_json, history_from_mapping, json_depth, metric_value
from diagnosis.models import SourceInfo


def load_history(text: str) -> TrainingHistory:
    (run,) = load_runs(text.encode())
    return run


def test_plain_and_wrapped_read_the_same() -> None:
    plain = load_history(json.dumps({"loss": [1.0, 0.5]}))
    wrapped = load_history(json.dumps({"history": {"loss": [1.0, 0.5]}, "metadata": {"num_classes": 3}}))
    assert plain.metrics["loss"].tolist() == wrapped.metrics["loss"].tolist()
    assert wrapped.metadata.num_classes == 3


def test_legacy_names_and_schedule_columns() -> None:
    run = load_history(
        json.dumps({"acc": [0.5, 0.6], "val_acc": [0.4, 0.5], "loss": [1, 0.9], "lr": [0.1, 0.05]})
    )
    assert set(run.metrics) == {"accuracy", "val_accuracy", "loss", "learning_rate"}
    assert "learning_rate" not in run.curve_names


def test_nan_literals_and_null_are_data() -> None:
    run = load_history('{"loss": [1.0, NaN, Infinity, null]}')
    values = run.metrics["loss"]
    assert values[0] == 1.0
    assert math.isnan(values[1])
    assert math.isinf(values[2])
    assert math.isnan(values[3])
    assert run.to_json()["history"]["loss"] == [1.0, None, None, None]


def test_alias_collision_is_an_error() -> None:
    with pytest.raises(HistoryError, match="appears twice"):
        load_history(json.dumps({"acc": [1], "accuracy": [1]}))


def test_booleans_are_not_numbers() -> None:
    with pytest.raises(HistoryError, match="non-numeric"):
        load_history(json.dumps({"loss": [True, 0.5]}))


def test_unexpected_top_level_keys_next_to_history_and_metadata() -> None:
    # The wrapped form with a misspelt key: its metadata would be lost without a word.
    with pytest.raises(HistoryError, match="unexpected top-level keys"):
        load_history(json.dumps({"history": {"loss": [1]}, "metdata": {}, "metadata": {"num_classes": 3}}))


def test_a_scripts_own_keys_next_to_history_are_side_data() -> None:
    run = load_history(json.dumps({"history": {"loss": [1.0, 0.5]}, "epochs_requested": 2}))
    assert run.metrics["loss"].tolist() == [1.0, 0.5]


def _nesting(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_nesting, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_nesting, value), default=0)
    return 0


# Strings full of what could fool a bracket counter: brackets, quotes, backslashes.
_TRICKY_TEXT = st.text(alphabet='[]{}"\\\n ab', max_size=8)
_JSON_VALUES = st.recursive(
    st.none() | st.integers() | _TRICKY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TRICKY_TEXT, inner, max_size=3),
    max_leaves=12,
)


@given(_JSON_VALUES)
def test_json_depth_is_the_nesting_of_the_document(value: object) -> None:
    assert json_depth(json.dumps(value)) == _nesting(value)


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ('["[[", [1]]', 2),  # brackets in a string do not count
        ('["\\"[[", [1]]', 2),  # nor after an escaped quote inside it
        ('[["a", "[[[[', 2),  # an unterminated string runs to the end
        ('[["a\\', 2),  # a lone backslash at the end too
        ("]][", 0),  # a stray closing bracket lowers the count, as the old loop did
        ("", 0),
    ],
)
def test_json_depth_of_broken_documents(text: str, depth: int) -> None:
    assert json_depth(text) == depth


@given(
    st.lists(
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**1100), max_value=2**1100)
        | st.floats(allow_nan=True, allow_infinity=True),
        min_size=1,
        max_size=40,
    )
)
def test_a_list_converted_at_once_reads_as_value_by_value(values: list[object]) -> None:
    """A list of plain numbers and nulls is converted in one numpy call; it must read as
    metric_value reads it one value at a time (ints past float's range as infinities), and a
    bool among them must still be refused."""
    try:
        expected = [metric_value("loss", i, value) for i, value in enumerate(values)]
    except HistoryError:
        with pytest.raises(HistoryError, match="non-numeric value"):
            history_from_mapping({"loss": values})
        return
    got = history_from_mapping({"loss": values}).metrics["loss"].tolist()
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        assert a == b or (math.isnan(a) and math.isnan(b))


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=12,
)


@given(_JSON_VALUES, st.sampled_from([None, 1]), st.booleans())
def test_decode_json_answers_as_json_loads(value: object, indent: int | None, ascii_only: bool) -> None:
    """orjson reads the text where its answer is json.loads's; integers past 64 bits, NaN,
    infinities and lone surrogates (json.dumps writes all of them) go to json.loads."""
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    assert repr(decode_json(text)) == repr(json.loads(text))


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 2}',
        "[1e400, -1E400, 1.5e-400]",
        "[123456789012345678901234567890, -9223372036854775809, 18446744073709551615]",
        '{"n": 12345678901234567890123}',
        '{"id": "12345678901234567890123", "lr": 0.00012345678901234567, "e": 1e-1234567890123456789}',
        '["\\ud800", NaN, -Infinity]',
        '["a\ud800"]',  # a lone surrogate itself, not escaped
        '"\\u00e9"',
    ],
)
def test_decode_json_on_texts_orjson_reads_otherwise(text: str) -> None:
    assert repr(decode_json(text)) == repr(json.loads(text))


@pytest.mark.parametrize("text", ['"a\tb"', "[1,]", "[01]", "[.5]", "[1] x", '{"a": 1'])
def test_decode_json_refuses_what_json_loads_refuses(text: str) -> None:
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    with pytest.raises(json.JSONDecodeError):
        decode_json(text)


def test_a_run_starts_at_its_beginning_unless_its_first_epoch_is_late() -> None:
    def starting(first_epoch: int | None) -> TrainingHistory:
        return history_from_mapping({"loss": [1.0, 0.5]}, source=SourceInfo(first_epoch=first_epoch))

    assert starting(None).starts_at_beginning(5)  # the input numbers no epochs
    assert starting(0).starts_at_beginning(5)
    assert starting(5).starts_at_beginning(5)
    assert not starting(6).starts_at_beginning(5)
