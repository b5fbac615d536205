"""A fitted model as a file a hub can load: a versioned, checksummed artefact.

One file: a JSON header line (format version, model name, the payload's SHA-256 and length,
and whatever the writer adds, e.g. the fleet's space and figures), then the pickled model.
`load_model` refuses a file whose payload does not match its checksum (a torn copy, a flipped
bit) or whose format it does not know, before unpickling anything. Pickle runs code on load:
artefacts are the hub's own output (a fleet run it trusts), never downloaded from strangers.
Written to a temporary file and renamed, so a reader never sees half an artefact."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any

from .predictor import Predictor

FORMAT = "hearthmind-routines-model"
VERSION = 1


class ArtefactError(ValueError):
    """An artefact that cannot be trusted or read: names the file and the reason."""


def save_model(model: Predictor, path: Path, meta: dict[str, Any] | None = None) -> str:
    """Writes `model` to `path` atomically; returns the payload's SHA-256 (hex)."""
    payload = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    digest = hashlib.sha256(payload).hexdigest()
    header = {
        **(meta or {}),
        "format": FORMAT,
        "version": VERSION,
        "model": model.name,
        "sha256": digest,
        "bytes": len(payload),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as out:
        out.write(json.dumps(header, sort_keys=True).encode() + b"\n")
        out.write(payload)
    tmp.replace(path)
    return digest


def read_header(path: Path) -> dict[str, Any]:
    """The artefact's header (no checksum check: `load_model` does that)."""
    with path.open("rb") as f:
        line = f.readline()
    try:
        header = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ArtefactError(f"{path}: not a model artefact (no header line)") from err
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ArtefactError(f"{path}: not a model artefact (format {FORMAT!r} expected)")
    return header


def load_model(path: Path) -> tuple[Predictor, dict[str, Any]]:
    """The model and its header; `ArtefactError` for a wrong version or checksum."""
    header = read_header(path)
    if header.get("version") != VERSION:
        raise ArtefactError(
            f"{path}: artefact version {header.get('version')!r}, this hub reads {VERSION}"
        )
    with path.open("rb") as f:
        f.readline()
        payload = f.read()
    if len(payload) != header.get("bytes") or hashlib.sha256(payload).hexdigest() != header.get(
        "sha256"
    ):
        raise ArtefactError(f"{path}: checksum mismatch (the file is damaged or was changed)")
    model = pickle.loads(payload)  # checksummed: the hub's own fleet output
    if not isinstance(model, Predictor):
        raise ArtefactError(f"{path}: the payload is not a routines model")
    return model, header
