"""The grammar samples the speech figures are built on, hashed: Whisper's near-sentence index
(stt/whisper.py `prepare`), pocketsphinx's language-model corpus (stt/sphinx.py
`home_corpus`) and the transcript snapper's sentences (phrases.py `PhraseCorrector.for_home`),
each drawn with the given seed from the grammar with the benchmark home's names, as
bench/voice_speech.py `make_pipeline` builds them.

Understanding added after the grammar (voice/understanding.py, the conversation layer) must
leave these untouched, so that every transcript snaps and matches as before; compare the
hashes printed here on two commits:

    PYTHONPATH=src .venv/bin/python bench/voice_grammar_samples.py [--draw 0] [--json FILE]

On 78a9cdd (before issue 25's conversation work), draw 0: home names 53e2aa0c..., Whisper
index c9013113... (36350 sentences), pocketsphinx corpus 254fe8a8... (22931), snapper
77896e42... (22191); tests/voice/test_grammar_samples.py holds the full hashes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("HEARTHMIND_DATA", REPO.parent / "shared" / "data"))


def _digest(sentences: list[str]) -> dict[str, Any]:
    ordered = hashlib.sha256("\n".join(sentences).encode("utf-8")).hexdigest()
    as_set = hashlib.sha256("\n".join(sorted(set(sentences))).encode("utf-8")).hexdigest()
    return {"sentences": len(sentences), "sha256": ordered, "sha256_set": as_set}


def sample_hashes(ha_dir: Path, draw: int = 0) -> dict[str, Any]:
    """sha256 of each sampled sentence list (in order, and as a sorted set)."""
    if not (ha_dir / "_fixtures.yaml").exists():
        # without HA's test home the samples would be of a much smaller home: say so
        raise SystemExit(f"no {ha_dir / '_fixtures.yaml'}: set HEARTHMIND_DATA or --ha-tests")
    sys.path.insert(0, str(REPO / "bench"))
    from hearthmind.core import Hub
    from hearthmind.voice.fixtures import populate_hub
    from hearthmind.voice.intents import GrammarIntentRecognizer
    from hearthmind.voice.phrases import GrammarSampler
    from hearthmind.voice.pipeline import VoicePipeline
    from hearthmind.voice.stt.sphinx import home_corpus
    from hearthmind.voice.stt.whisper import GRAMMAR_SAMPLES
    from voice_speech import bench_fixtures

    hub = Hub()
    populate_hub(hub, bench_fixtures(ha_dir))
    recognizer = GrammarIntentRecognizer()
    pipeline = VoicePipeline(hub, recognizer)
    home = pipeline.home()
    lists = recognizer.slot_lists(home)
    whisper = GrammarSampler(recognizer.intents, lists, seed=draw).sample(GRAMMAR_SAMPLES)
    sphinx = home_corpus(recognizer, home, seed=draw)
    snapper = GrammarSampler(recognizer.intents, lists, seed=0).sample(8)
    pipeline.close()
    names = json.dumps(recognizer.home_key, default=str)
    return {
        "draw": draw,
        "home_names_sha256": hashlib.sha256(names.encode("utf-8")).hexdigest(),
        "whisper_index": _digest(whisper),
        "sphinx_corpus": _digest(sphinx),
        "snapper": _digest(snapper),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draw", type=int, default=0)
    parser.add_argument("--ha-tests", type=Path, default=DATA / "ha-intents-tests-en")
    parser.add_argument("--json", type=Path, help="also write the hashes here")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    hashes = sample_hashes(args.ha_tests, args.draw)
    print(json.dumps(hashes, indent=2))
    if args.json:
        args.json.write_text(json.dumps(hashes, indent=2), encoding="utf-8")
