"""The pinned quality gate (as trafilatura's ``eval_gate.py``): our body F1 on every real-pages set
(``make bench-realpages``'s: the benchmark's development half, the widened corpus's development
and held-out halves) must not fall below its pinned floor, and each set must still be the corpus
the floor was pinned on (its fingerprint). A rule can then be deleted safely: if quality falls,
this fails. After an improvement (or a deliberate corpus change), re-pin with
``.venv/bin/python -m benchmarks.realpages --only northnews --pin`` (a floor is never lowered)."""

from __future__ import annotations

import json

import pytest

from benchmarks.realpages import GATE, fingerprint, load_sets, ours, score_set

#: One page changing by a shingle or two moves F1 by less than this: not a regression.
EPSILON = 0.0005

SETS = {page_set.name: page_set for page_set in load_sets()}
PINNED = json.loads(GATE.read_text("utf-8"))


def test_every_set_is_pinned() -> None:
    assert sorted(PINNED) == sorted(SETS)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_quality_does_not_fall_below_the_pinned_floor(name: str) -> None:
    page_set, pin = SETS[name], PINNED[name]
    assert fingerprint(page_set) == pin["fingerprint"], (
        f"{name}: the corpus changed ({len(page_set.pages)} pages, pinned {pin['pages']}); "
        "re-pin with python -m benchmarks.realpages --only northnews --pin"
    )
    f1 = score_set(page_set, ours).f1
    assert f1 >= pin["floor"] - EPSILON, f"{name}: body F1 {f1:.4f} fell below the pinned floor {pin['floor']}"
