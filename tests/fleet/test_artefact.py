"""A model artefact is versioned and checksummed: a damaged one is refused on load."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthmind.routines.artefact import ArtefactError, load_model, read_header, save_model
from hearthmind.routines.registry import make_model

from .conftest import home_log


def test_round_trip_and_damage(tmp_path: Path) -> None:
    observations = home_log("a", 4, seed=1).observations
    model = make_model("active_lezi")
    model.fit([observations])
    path = tmp_path / "a.model"
    digest = save_model(model, path, {"space": "a"})
    loaded, header = load_model(path)
    assert header["sha256"] == digest and header["space"] == "a" and header["version"] == 1
    recent = observations[-5:]
    assert loaded.predict(recent[-1].time, recent, 3) == model.predict(recent[-1].time, recent, 3)

    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF  # one flipped byte in the payload
    path.write_bytes(bytes(data))
    assert read_header(path)["space"] == "a"
    with pytest.raises(ArtefactError, match="checksum"):
        load_model(path)

    path.write_bytes(b"junk\n" + bytes(data))
    with pytest.raises(ArtefactError, match="not a model artefact"):
        load_model(path)
