"""Bounded input and error bodies, over HTTP with the session's Redis and worker: caps on
metrics and their names, error bodies that quote a short prefix of a bad value and never a
worker's path."""

from __future__ import annotations

import io
import tempfile
import zipfile

import httpx
import numpy as np

from convdiag.settings import Settings
from testkit.support import assert_problem, wait_until

# Far more than the 10 MB body allows of anything else, and still under it.
HUGE = 9_000_000
# An answer quoting a bounded prefix: the detail's cap plus the problem's other fields.
SMALL_BODY = 2000


def test_two_hundred_thousand_metrics_are_refused_naming_the_cap(
    acme: httpx.Client, settings: Settings
) -> None:
    many = {f"m{i}": [1.0, 0.5] for i in range(200_000)}
    detail = assert_problem(acme.post("/v1/histories", json={"history": many}), 422, "invalid-history")[
        "detail"
    ]
    assert f"200000 metrics; at most {settings.max_metrics}" in detail
    assert "CONVDIAG_MAX_METRICS" in detail
    live = acme.post(
        "/v1/runs/many-metrics/epochs", json={f"m{i}": 1.0 for i in range(settings.max_metrics + 1)}
    )
    assert "CONVDIAG_MAX_METRICS" in assert_problem(live, 422, "invalid-history")["detail"]
    # At the cap, a history is accepted.
    at_cap = {f"m{i}": [1.0, 0.5] for i in range(settings.max_metrics)}
    assert acme.post("/v1/histories", json={"history": at_cap}).status_code == 202


def test_a_huge_value_is_quoted_by_a_short_prefix(acme: httpx.Client, settings: Settings) -> None:
    huge = "A" * HUGE
    value = acme.post("/v1/histories", json={"history": {"loss": [0.5, huge]}})
    assert "(9000000 characters)" in assert_problem(value, 422, "invalid-history")["detail"]
    assert len(value.content) < SMALL_BODY
    name = acme.post("/v1/histories", json={"history": {huge: [0.5, 0.4]}})
    detail = assert_problem(name, 422, "invalid-history")["detail"]
    assert f"at most {settings.max_metric_name_length}" in detail
    assert "CONVDIAG_MAX_METRIC_NAME_LENGTH" in detail
    assert len(name.content) < SMALL_BODY
    csv = b"epoch,loss\n0," + b"9" * 100 + b"x\n"
    cell = acme.post("/v1/histories", content=csv, headers={"content-type": "text/csv"})
    assert len(assert_problem(cell, 422, "invalid-history")["detail"]) < 300
    media = acme.post("/v1/histories", content=b"{}", headers={"content-type": "text/" + "x" * 8000})
    assert_problem(media, 415, "unsupported-media-type")
    assert len(media.content) < SMALL_BODY


def _broken_model_bundle() -> bytes:
    """Valid arrays beside a model.keras that is not one: Keras names the file it was given
    (the worker's unpack directory) in its error."""
    arrays = io.BytesIO()
    np.savez(arrays, x_train=np.zeros((8, 2)), y_train=np.zeros(8))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("model.keras", b"not a keras file")
        archive.writestr("data.npz", arrays.getvalue())
    return out.getvalue()


def test_a_failed_bundle_names_no_path_of_the_worker(acme: httpx.Client, settings: Settings) -> None:
    posted = acme.post(
        "/v1/bundles", content=_broken_model_bundle(), headers={"content-type": "application/zip"}
    )
    assert posted.status_code == 202, posted.text
    job = wait_until(
        lambda: (j := acme.get(f"/v1/jobs/{posted.json()['id']}").json())["status"] == "failed" and j,
        90,
        "the bundle job to fail",
    )
    detail = job["error"]["detail"]
    assert job["error"]["type"] == "urn:convdiag:problem:invalid-bundle"
    assert "model.keras" in detail
    for internal in (tempfile.gettempdir(), str(settings.data_dir), str(settings.bundles_path)):
        assert internal not in detail
