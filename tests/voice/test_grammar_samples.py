"""The speech figures rest on samples of the sentence grammar (Whisper's near-sentence index,
pocketsphinx's language model, the transcript snapper). Understanding added after the
grammar must leave those samples exactly as they were on 78a9cdd, the commit before issue 25's
conversation work, so that every transcript snaps and matches as before. A deliberate change
of the grammar updates these hashes in the same commit, with its speech figures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# bench/voice_grammar_samples.py --draw 0, on 78a9cdd
ON_78A9CDD = {
    "home_names_sha256": "53e2aa0c95bf7005413c2225bddcdb6be3a52732050ace9ec7c820184262d4cf",
    "whisper_index": "c9013113d67c0a0acdd5ea22ee471ebf3538c0f8e8daf1728b7fc7812ea731ec",
    "sphinx_corpus": "254fe8a8c60c61f41858af0795dffd28fc23a0bc92c4a7b4cc8e9fa3254782d1",
    "snapper": "77896e42e082040634cfe10136f2a47fc44152d704b79db67261501fcaad4b81",
}


def test_the_grammar_samples_behind_the_speech_figures_are_unchanged(shared_data: Path) -> None:
    ha_tests = shared_data / "ha-intents-tests-en"
    if not ha_tests.is_dir():
        pytest.skip(f"{ha_tests} is absent")
    sys.path.insert(0, str(REPO / "bench"))
    from voice_grammar_samples import sample_hashes

    got = sample_hashes(ha_tests, draw=0)
    assert got["home_names_sha256"] == ON_78A9CDD["home_names_sha256"]
    for key in ("whisper_index", "sphinx_corpus", "snapper"):
        assert got[key]["sha256"] == ON_78A9CDD[key], key
