"""Arrays that are small on disk and huge in memory (a fill-value HDF5 dataset, an npz member
whose header declares a billion rows) are refused from their headers, naming the memory
limit, before a byte of them is allocated."""

from __future__ import annotations

import io
import resource
import zipfile
from pathlib import Path

import numpy as np
import pytest

from diagnosis.probes.loader import LimitError, Limits, load_arrays, load_model
from testkit.bundles import mlp

LIMITS = Limits(max_unpacked_bytes=5 * 1024 * 1024, max_array_bytes=256 * 1024 * 1024)
# A billion float32 values: 4 GB from a header of a few bytes.
HUGE_ROWS = 1_000_000_000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _npz_bomb(path: Path) -> Path:
    """A valid npz whose x_train header declares HUGE_ROWS rows and holds none of them."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (HUGE_ROWS,)}
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as npz:
        npz.writestr("x_train.npy", header.getvalue() + bytes(1024))
        buffer = io.BytesIO()
        np.save(buffer, np.zeros(4))
        npz.writestr("y_train.npy", buffer.getvalue())
    return path


def test_an_npz_that_declares_gigabytes_is_refused_from_its_header(tmp_path: Path) -> None:
    bomb = _npz_bomb(tmp_path / "data.npz")
    assert bomb.stat().st_size < 10_000
    before = _rss_mb()
    with pytest.raises(LimitError, match=r"memory limit: data\.npz's arrays would take 3\.73 GB") as caught:
        load_arrays(bomb, LIMITS)
    assert caught.value.limit == "memory"
    assert _rss_mb() - before < 100


def test_fill_value_datasets_in_a_legacy_h5_are_refused(tmp_path: Path) -> None:
    import h5py

    mlp(8, 3).save(tmp_path / "model.h5")
    with h5py.File(tmp_path / "model.h5", "a") as h5:
        # Never written: stored as its fill value alone, a few bytes on disk.
        h5.create_dataset("bomb", shape=(HUGE_ROWS,), dtype="f4", fillvalue=1.0)
    assert (tmp_path / "model.h5").stat().st_size < 100_000
    with pytest.raises(LimitError, match=r"memory limit: model\.h5's weights would take") as caught:
        load_model(tmp_path / "model.h5", LIMITS)
    assert caught.value.limit == "memory"


def test_fill_value_weights_inside_model_keras_are_refused(tmp_path: Path) -> None:
    import h5py

    mlp(8, 3).save(tmp_path / "model.keras")
    bomb = tmp_path / "bomb.keras"
    with zipfile.ZipFile(tmp_path / "model.keras") as source, zipfile.ZipFile(bomb, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith(".h5"):
                weights = tmp_path / "weights.h5"
                weights.write_bytes(data)
                with h5py.File(weights, "a") as h5:
                    h5.create_dataset("bomb", shape=(HUGE_ROWS,), dtype="f4", fillvalue=1.0)
                data = weights.read_bytes()
            target.writestr(info.filename, data)
    with pytest.raises(LimitError, match=r"memory limit: model\.keras's weights"):
        load_model(bomb, LIMITS)
