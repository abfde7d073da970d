"""`ConvergenceMonitor`: a Keras callback that streams epochs to a convdiag live run.

    model.fit(x, y, epochs=50, callbacks=[ConvergenceMonitor(url="http://convdiag:8000",
                                                             api_key="...", stop_on_error=True)])

Training must never wait on us or fail because of us: epochs go to a background thread
through a queue; when the service is down they stay buffered and are re-sent with the next
epoch (appends are idempotent by epoch index), and the outage is logged once, not per epoch.
Each new finding is logged once as it appears, and the verdict's headline whenever its answer
(status, first cause) changes. With `stop_on_error=True`, an `error`
finding stops training at the end of the epoch, as `keras.callbacks.TerminateOnNaN` does.

The run starts with the metadata the model tells for free (parameter count, hidden layer
widths, optimizer, learning rate, the compiled loss's name, the output layer's activation and
width, so the task and K, and the batches per epoch `fit` will run) merged with what the caller
passes, which wins: `num_samples`, `batch_size` (Keras 3 and tf.keras hand callbacks neither;
the engine counts samples from the accuracy's steps of 1/n), and for a
regression `baseline_loss` (for MSE, `float(np.var(y_train))`), without which the service
cannot tell a high regression loss from a low one.

Works with Keras 3 and with tf.keras 2.x (TensorFlow up to 2.15): it uses only what both
document (`Callback.params["steps"]`, `Model.loss`, `Model.layers`, `Model.outputs`,
`Layer.activation`/`units`, `Optimizer.learning_rate` as a tensor or, in 2.x's
`OptimizerV2`, a `LearningRateSchedule` called on `Optimizer.iterations`) and reads tensors
with numpy instead of Keras 3's `keras.ops`. Keras 3 is what the tests train; tf.keras 2.x
cannot be installed beside it, so that path follows the 2.x API documentation.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Mapping
from typing import Any

import keras
import numpy as np

from convdiag.client import DEFAULT_URL, ApiError, Client
from convdiag.runs import LiveRun
from diagnosis import Finding, Severity
from diagnosis.models import VerdictStatus

log = logging.getLogger("convdiag.monitor")

# How long one POST may take before the epoch is kept for the next try.
REQUEST_TIMEOUT = 5.0
# How long on_train_end waits for the last epochs to go out.
FLUSH_TIMEOUT = 10.0
_STOP = object()


class ConvergenceMonitor(keras.callbacks.Callback):
    def __init__(
        self,
        url: str = DEFAULT_URL,
        api_key: str | None = None,
        run_id: str | None = None,
        stop_on_error: bool = False,
        flush_timeout: float = FLUSH_TIMEOUT,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.url = url
        self.run_id = run_id or f"run-{uuid.uuid4().hex[:16]}"
        self.metadata: dict[str, Any] = dict(metadata or {})
        self._created = False
        self.stop_on_error = stop_on_error
        self.flush_timeout = flush_timeout
        # The background thread owns the client and the buffer; the training thread only puts.
        self._client = Client(url, api_key, timeout=REQUEST_TIMEOUT, retries=0)
        self._queue: queue.Queue[Any] = queue.Queue()
        self._buffer: list[dict[str, Any]] = []
        self._seen: set[str] = set()
        # The verdict last logged, as (status, first cause): its numbers move every epoch,
        # its answer only when the run changes course.
        self._verdict: tuple[str, str | None] | None = None
        self.headlines: list[str] = []
        self._down = False
        self._thread: threading.Thread | None = None
        self.findings: list[Finding] = []
        self.stop_reason: Finding | None = None

    # -- the training thread ----------------------------------------------------------
    def on_train_begin(self, logs: Mapping[str, Any] | None = None) -> None:
        if self.model is not None:
            told = {**model_metadata(self.model), **fit_metadata(self.params or {})}
            self.metadata = {**told, **self.metadata}
        self._thread = threading.Thread(target=self._run, name="convdiag-monitor", daemon=True)
        self._thread.start()

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        values = {name: float(value) for name, value in (logs or {}).items()}
        self._queue.put({"epoch": int(epoch), **values})
        if self.stop_on_error and self.stop_reason is not None and self.model is not None:
            log.warning("convdiag: stopping training: %s", self.stop_reason.summary)
            self.model.stop_training = True

    def on_train_end(self, logs: Mapping[str, Any] | None = None) -> None:
        self._queue.put(_STOP)
        if self._thread is not None:
            self._thread.join(self.flush_timeout)
        if self._buffer:
            log.warning("convdiag: %d epoch(s) of run %s were not delivered", len(self._buffer), self.run_id)

    # -- the background thread --------------------------------------------------------
    def _run(self) -> None:
        try:
            while True:
                item = self._queue.get()
                stopping = item is _STOP
                if not stopping:
                    self._buffer.append(item)
                while not self._queue.empty():  # take whatever else arrived meanwhile
                    more = self._queue.get_nowait()
                    if more is _STOP:
                        stopping = True
                    else:
                        self._buffer.append(more)
                self._send()
                if stopping:
                    return
        finally:
            self._client.close()

    def _send(self) -> None:
        if not self._buffer:
            return
        try:
            if not self._created:
                self._create()
            run = self._client.append_epochs(self.run_id, self._buffer)
        except ApiError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status not in {408, 429}:
                # The service refused these epochs; re-sending them would be refused again.
                log.warning("convdiag: epochs rejected for run %s: %s", self.run_id, exc)
                self._buffer.clear()
            elif not self._down:
                log.warning("convdiag: service unavailable, buffering epochs (%s)", exc)
                self._down = True
            return
        self._buffer.clear()
        if self._down:
            log.info("convdiag: service reachable again; buffered epochs delivered")
            self._down = False
        self._notice(run)

    def _create(self) -> None:
        """Start the run with its metadata; raises only while the service is unreachable."""
        try:
            self._client.create_run(self.run_id, self.metadata)
        except ApiError as exc:
            if exc.status is None or exc.status >= 500 or exc.status in {408, 429}:
                raise
            if exc.status != 409:  # 409: an earlier try got through and only its answer was lost
                log.warning("convdiag: run metadata refused, streaming without it: %s", exc)
        self._created = True

    def _notice(self, run: LiveRun) -> None:
        if run.diagnosis is None:
            return
        verdict = run.diagnosis.verdict
        answer = (verdict.status.value, verdict.causes[0].code.value if verdict.causes else None)
        if answer != self._verdict:  # the answer to "why" changed: say it once
            self._verdict = answer
            self.headlines.append(verdict.headline)
            log.log(
                logging.INFO if verdict.status is VerdictStatus.healthy else logging.WARNING,
                "convdiag: verdict at epoch %d: %s",
                run.epochs - 1,
                verdict.headline,
            )
        for finding in run.diagnosis.findings:
            if finding.code in self._seen:
                continue
            self._seen.add(finding.code)
            self.findings.append(finding)
            level = logging.INFO if finding.severity is Severity.info else logging.WARNING
            log.log(
                level,
                "convdiag: %s (%s) at epoch %d: %s",
                finding.code,
                finding.severity.value,
                run.epochs - 1,
                finding.summary,
            )
            if finding.severity is Severity.error and self.stop_reason is None:
                self.stop_reason = finding


def fit_metadata(params: Mapping[str, Any]) -> dict[str, Any]:
    """What `fit` hands its callbacks: the batches per epoch (`steps`, Keras 3 and tf.keras 2.x);
    the sample count and batch size only where the Keras of the day still passes them (the
    standalone Keras 2.x before TensorFlow took it over did, as `samples` and `batch_size`)."""
    told: dict[str, Any] = {}
    for key, field in (
        ("steps", "steps_per_epoch"),
        ("samples", "num_samples"),
        ("batch_size", "batch_size"),
    ):
        value = params.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            told[field] = value
    return told


def hidden_units(model: keras.Model) -> list[int]:
    """Widths of the layers with units (Dense, recurrent) before the output layer, in order."""
    widths = [layer.units for layer in model.layers if isinstance(getattr(layer, "units", None), int)]
    return widths[:-1]


def model_metadata(model: keras.Model) -> dict[str, Any]:
    """What a compiled model tells about its run: size, hidden widths, optimizer and its rate,
    loss, and the output layer (so the task and K)."""
    metadata: dict[str, Any] = {"param_count": int(model.count_params()), "hidden_units": hidden_units(model)}
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        metadata["optimizer"] = type(optimizer).__name__.lower()
        rate = learning_rate(optimizer)
        if rate is not None and rate > 0:
            metadata["learning_rate"] = float(f"{rate:.6g}")  # float32's digits, not its noise
    loss = loss_name(getattr(model, "loss", None))
    if loss is not None:
        metadata["loss"] = loss
    metadata.update(output_layer(model))
    return metadata


def learning_rate(optimizer: Any) -> float | None:
    """The rate at the current step: Keras 3 and tf.keras 2.11+ give a tensor (a schedule already
    applied); tf.keras 2.x's OptimizerV2 gives the schedule itself, called on `iterations`."""
    rate = getattr(optimizer, "learning_rate", None)
    if isinstance(rate, keras.optimizers.schedules.LearningRateSchedule):
        rate = rate(optimizer.iterations)
    try:
        return float(np.asarray(rate))
    except (TypeError, ValueError):
        return None


def loss_name(loss: Any) -> str | None:
    """The Keras name of a compiled loss: a string as given, a Loss object's `name`, a function's
    own name; None for several outputs' losses (a list or dict) or nothing compiled."""
    if isinstance(loss, str):
        return loss.lower()
    name = getattr(loss, "name", None) or getattr(loss, "__name__", None)
    return name.lower() if isinstance(name, str) and name else None


def output_layer(model: keras.Model) -> dict[str, Any]:
    """The single output's activation and width; nothing for a model with several outputs."""
    outputs = getattr(model, "outputs", None) or []
    if len(outputs) > 1 or not model.layers:
        return {}
    told: dict[str, Any] = {}
    activation = getattr(model.layers[-1], "activation", None)
    name = getattr(activation, "__name__", None)
    if isinstance(name, str):
        told["output_activation"] = name
    width = outputs[0].shape[-1] if outputs else getattr(model.layers[-1], "units", None)
    if isinstance(width, int) and width >= 1:
        told["output_units"] = width
    return told
