"""Live runs: epochs streamed while training goes on, diagnosed as they arrive.

A run is one JSON document in the job store, keyed by tenant and run id, so two tenants
can use the same id without seeing each other. The document keeps the diagnosis of its
epochs, made when they are appended: a read (a run, a page of runs, `/`, an event stream
polling) costs a document load, never a diagnosis. Epochs arrive from our callback or from a
stock `keras.callbacks.RemoteMonitor`, which posts `{"epoch": i, **logs}` once per epoch
and retries nothing, so appends are idempotent: re-sending an epoch with the same values
is a no-op, with other values a conflict.
"""

from __future__ import annotations

import html
import math
import re
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from convdiag.jobs import JobStore
from convdiag.jobs.store import decode_cursor, encode_cursor
from convdiag.report.html import render_fragment
from diagnosis import Diagnosis, HistoryError, RunMetadata, diagnose
from diagnosis.history import LEGACY_NAMES, MAX_EPOCHS, history_from_mapping, metric_value, parse_metadata
from diagnosis.models import VerdictStatus
from diagnosis.quoting import quote

# Client-chosen ids (RemoteMonitor's path is fixed when the callback is built).
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# The key RemoteMonitor uses for the epoch index; everything else in the body is a metric.
EPOCH_KEY = "epoch"


class RunConflict(ValueError):
    """The request contradicts what the run already holds."""


class _RunState(BaseModel):
    id: str
    epochs: int = Field(description="Epochs received so far.")
    metrics: list[str]
    metadata: RunMetadata
    created_at: datetime
    updated_at: datetime


class LiveRun(_RunState):
    diagnosis: Diagnosis | None = Field(
        default=None, description="The diagnosis of the epochs so far (null before the first one)."
    )

    def _repr_html_(self) -> str:
        """How a notebook shows a live run: its state and the diagnosis so far."""
        title = f"run {self.id}: {self.epochs} epochs"
        if self.diagnosis is None:
            return f"<p>{html.escape(title)}</p>"
        return render_fragment(self.diagnosis, title)


class LiveRunSummary(_RunState):
    """A run in a list: its state and its verdict in one line, without the diagnosis."""

    status: VerdictStatus | None = Field(
        default=None, description="The verdict's status (null before the first epoch)."
    )
    headline: str | None = Field(
        default=None, description="The verdict's headline (null before the first epoch)."
    )


class LiveRunPage(BaseModel):
    items: list[LiveRunSummary]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next (older) page; null on the last."
    )


def _key(tenant: str, run_id: str) -> str:
    return f"run:{tenant}:{run_id}"


# A tenant's newest runs as [id, created_at], newest first: documents have no listing of their
# own. The creation time rides along so that a page's cursor is found without loading the
# documents it skips, and the order holds when two creations record themselves out of order.
def _index_key(tenant: str) -> str:
    return f"runs:{tenant}"


# How many runs a tenant's index keeps: GET /v1/runs and the browser page list these.
MAX_LISTED_RUNS = 100


def _remember(store: JobStore, tenant: str, run_id: str, created_at: float) -> None:
    def update(current: dict[str, Any] | None) -> dict[str, Any]:
        entries = [(c, i) for i, c in (current or {}).get("runs", []) if i != run_id]
        entries.append((created_at, run_id))
        entries.sort(reverse=True)
        return {"runs": [[i, c] for c, i in entries[:MAX_LISTED_RUNS]]}

    store.update_document(_index_key(tenant), update)


def check_run_id(run_id: str) -> None:
    if not RUN_ID.match(run_id):
        raise HistoryError(
            "a run id is 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit"
        )


def _new_document(run_id: str, metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    meta = parse_metadata(metadata).model_dump(exclude_none=True)
    now = time.time()
    return {
        "id": run_id,
        "created_at": now,
        "updated_at": now,
        "metadata": meta,
        "values": {},
        "diagnosis": None,
    }


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def _normalize(epoch: Mapping[str, Any], default_index: int) -> tuple[int, dict[str, float]]:
    """An epoch's index and its metrics as floats, with Keras 2 names mapped to Keras 3's."""
    index = epoch.get(EPOCH_KEY, default_index)
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise HistoryError(f"'epoch' must be a non-negative integer, got {quote(index)}")
    values = {
        LEGACY_NAMES.get(name, name): metric_value(name, index, value)
        for name, value in epoch.items()
        if name != EPOCH_KEY
    }
    if not values:
        raise HistoryError(f"epoch {index} has no metrics")
    return index, values


def _diagnose(document: dict[str, Any]) -> dict[str, Any]:
    return diagnose(history_from_mapping(document["values"], document["metadata"])).model_dump(mode="json")


def _append(document: dict[str, Any], epochs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The document with `epochs` appended and, when any was new, diagnosed again."""
    columns: dict[str, list[float | None]] = document["values"]
    appended = False
    for raw in epochs:
        length = len(next(iter(columns.values()), []))
        index, values = _normalize(raw, length)
        if columns and set(values) != set(columns):
            raise HistoryError(
                f"epoch {index} has metrics {quote(sorted(values))} but the run has {quote(sorted(columns))}"
            )
        if index > length:
            raise HistoryError(f"epoch {index} arrived before epoch {length}; send epochs in order")
        if index < length:
            stored = {name: column[index] for name, column in columns.items()}
            if not all(_same(values[n], math.nan if v is None else v) for n, v in stored.items()):
                raise RunConflict(
                    f"epoch {index} was already recorded with other values: this run id holds "
                    f"{length} epochs of an earlier training; a new training needs a new run id"
                )
            continue  # a retry of an epoch we have
        if length >= MAX_EPOCHS:
            raise HistoryError(f"a run holds at most {MAX_EPOCHS} epochs")
        for name, value in values.items():
            # Stored as strict JSON: non-finite values as null (they read back as NaN).
            columns.setdefault(name, []).append(value if math.isfinite(value) else None)
        appended = True
    if appended:
        # Inside the store's atomic update, so the stored diagnosis is always of the stored
        # epochs (a retried update diagnoses again, on top of whatever won).
        document["diagnosis"] = _diagnose(document)
    document["updated_at"] = time.time()
    return document


def _diagnosis(document: dict[str, Any]) -> dict[str, Any] | None:
    if "diagnosis" not in document:
        # Written before diagnoses were stored (they expire after job_ttl_seconds).
        return _diagnose(document) if document["values"] else None
    stored: dict[str, Any] | None = document["diagnosis"]
    return stored


def _state(document: dict[str, Any]) -> dict[str, Any]:
    columns = document["values"]
    return {
        "id": document["id"],
        "epochs": len(next(iter(columns.values()), [])),
        "metrics": list(columns),
        "metadata": RunMetadata.model_validate(document["metadata"]),
        "created_at": datetime.fromtimestamp(document["created_at"], UTC),
        "updated_at": datetime.fromtimestamp(document["updated_at"], UTC),
    }


def _to_run(document: dict[str, Any]) -> LiveRun:
    diagnosis = _diagnosis(document)
    return LiveRun(
        **_state(document), diagnosis=None if diagnosis is None else Diagnosis.model_validate(diagnosis)
    )


def _to_summary(document: dict[str, Any]) -> LiveRunSummary:
    verdict = (_diagnosis(document) or {}).get("verdict", {})
    return LiveRunSummary(**_state(document), status=verdict.get("status"), headline=verdict.get("headline"))


def create_run(
    store: JobStore, tenant: str, run_id: str | None, metadata: Mapping[str, Any] | None
) -> LiveRun:
    run_id = run_id or uuid.uuid4().hex
    check_run_id(run_id)
    document = _new_document(run_id, metadata)

    def create(current: dict[str, Any] | None) -> dict[str, Any]:
        if current is not None:
            raise RunConflict(f"run {run_id} already exists")
        return document

    created = store.update_document(_key(tenant, run_id), create)
    _remember(store, tenant, run_id, created["created_at"])
    return _to_run(created)


def append_epochs(
    store: JobStore,
    tenant: str,
    run_id: str,
    epochs: Sequence[Mapping[str, Any]],
    metadata: Mapping[str, Any] | None = None,
) -> LiveRun:
    """Append epochs, creating the run on its first epoch (so RemoteMonitor needs no setup)
    with `metadata`; on an existing run, `metadata` must agree with what it holds."""
    check_run_id(run_id)
    if not epochs:
        raise HistoryError("no epochs in the request")
    given = parse_metadata(metadata).model_dump(exclude_none=True) if metadata else {}
    started = False

    def update(current: dict[str, Any] | None) -> dict[str, Any]:
        nonlocal started
        started = current is None  # per attempt: a retried update may find the run made
        if current is None:
            return _append(_new_document(run_id, given), epochs)
        differing = sorted(name for name, value in given.items() if current["metadata"].get(name) != value)
        if differing:
            raise RunConflict(
                f"run {run_id} was started with other metadata ({', '.join(differing)}); "
                "a new training needs a new run id"
            )
        return _append(current, epochs)

    document = store.update_document(_key(tenant, run_id), update)
    if started:
        _remember(store, tenant, run_id, document["created_at"])
    return _to_run(document)


def get_run(store: JobStore, tenant: str, run_id: str) -> LiveRun | None:
    document = store.get_document(_key(tenant, run_id))
    return None if document is None else _to_run(document)


def get_run_curves(
    store: JobStore, tenant: str, run_id: str
) -> tuple[LiveRun, dict[str, list[float | None]]] | None:
    """A run and its curves as stored (non-finite values as None), for its report."""
    document = store.get_document(_key(tenant, run_id))
    return None if document is None else (_to_run(document), document["values"])


def list_runs(store: JobStore, tenant: str, limit: int, cursor: str | None = None) -> LiveRunPage:
    """A page of the tenant's newest runs (by creation), newest first, without those that
    expired; a `cursor` (a page's `next_cursor`) continues after the page it came from.
    Raises ValueError for a malformed cursor."""
    before = decode_cursor(cursor) if cursor else None
    index = store.get_document(_index_key(tenant)) or {}
    documents = []
    for run_id, created_at in index.get("runs", []):
        if before is not None and (created_at, run_id) >= before:
            continue
        document = store.get_document(_key(tenant, run_id))
        if document is not None:
            documents.append(document)
            if len(documents) > limit:  # one more than the page: there is a next one
                break
    page = documents[:limit]
    more = len(documents) > limit
    next_cursor = encode_cursor(page[-1]["created_at"], page[-1]["id"]) if more else None
    return LiveRunPage(items=[_to_summary(d) for d in page], next_cursor=next_cursor)
