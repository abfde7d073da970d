"""Live runs: epochs streamed while training goes on, diagnosed on every read.

A run is one JSON document in the job store, keyed by tenant and run id, so two tenants
can use the same id without seeing each other. Epochs arrive from our callback or from a
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
from itertools import islice
from typing import Any

from pydantic import BaseModel, Field

from convdiag.jobs import JobStore
from diagnosis import Diagnosis, HistoryError, RunMetadata, diagnose
from diagnosis.history import LEGACY_NAMES, MAX_EPOCHS, history_from_mapping, metric_value, parse_metadata
from diagnosis.quoting import quote

# Client-chosen ids (RemoteMonitor's path is fixed when the callback is built).
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# The key RemoteMonitor uses for the epoch index; everything else in the body is a metric.
EPOCH_KEY = "epoch"


class RunConflict(ValueError):
    """The request contradicts what the run already holds."""


class LiveRun(BaseModel):
    id: str
    epochs: int = Field(description="Epochs received so far.")
    metrics: list[str]
    metadata: RunMetadata
    created_at: datetime
    updated_at: datetime
    diagnosis: Diagnosis | None = Field(
        default=None, description="The diagnosis of the epochs so far (null before the first one)."
    )

    def _repr_html_(self) -> str:
        """How a notebook shows a live run: its state and the diagnosis so far."""
        from diagnosis.report_html import render_fragment

        title = f"run {self.id}: {self.epochs} epochs"
        if self.diagnosis is None:
            return f"<p>{html.escape(title)}</p>"
        return render_fragment(self.diagnosis, title)


def _key(tenant: str, run_id: str) -> str:
    return f"run:{tenant}:{run_id}"


# The ids of a tenant's newest runs, newest first: documents have no listing of their own.
def _index_key(tenant: str) -> str:
    return f"runs:{tenant}"


# How many run ids a tenant's index keeps (the browser page lists these).
MAX_LISTED_RUNS = 100


def _remember(store: JobStore, tenant: str, run_id: str) -> None:
    def update(current: dict[str, Any] | None) -> dict[str, Any]:
        older = [i for i in (current or {}).get("ids", []) if i != run_id]
        return {"ids": [run_id, *older][:MAX_LISTED_RUNS]}

    store.update_document(_index_key(tenant), update)


def check_run_id(run_id: str) -> None:
    if not RUN_ID.match(run_id):
        raise HistoryError(
            "a run id is 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit"
        )


def _new_document(run_id: str, metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    meta = parse_metadata(metadata).model_dump(exclude_none=True)
    now = time.time()
    return {"id": run_id, "created_at": now, "updated_at": now, "metadata": meta, "values": {}}


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


def _append(document: dict[str, Any], epochs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    columns: dict[str, list[float | None]] = document["values"]
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
    document["updated_at"] = time.time()
    return document


def _to_run(document: dict[str, Any]) -> LiveRun:
    columns = document["values"]
    diagnosis = diagnose(history_from_mapping(columns, document["metadata"])) if columns else None
    return LiveRun(
        id=document["id"],
        epochs=len(next(iter(columns.values()), [])),
        metrics=list(columns),
        metadata=RunMetadata.model_validate(document["metadata"]),
        created_at=datetime.fromtimestamp(document["created_at"], UTC),
        updated_at=datetime.fromtimestamp(document["updated_at"], UTC),
        diagnosis=diagnosis,
    )


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
    _remember(store, tenant, run_id)
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
        _remember(store, tenant, run_id)
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


def recent_runs(store: JobStore, tenant: str, limit: int) -> list[LiveRun]:
    """The tenant's newest runs (by creation), newest first, without those that expired."""
    index = store.get_document(_index_key(tenant)) or {}
    documents = (store.get_document(_key(tenant, run_id)) for run_id in index.get("ids", []))
    return [_to_run(document) for document in islice(filter(None, documents), limit)]
