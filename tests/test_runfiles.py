"""Run ids: unique even for runs starting in the same second; ids of earlier releases still read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from northnews.ops import runfiles
from northnews.ops.store import Store


def test_two_runs_in_the_same_second_get_different_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runfiles, "compact", lambda: "20261207T101500Z")  # one second for all
    ids = {runfiles.new_run_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"20261207T101500Z-[0-9a-f]{6}", i) for i in ids)


def test_an_id_whose_manifest_exists_is_drawn_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runfiles, "compact", lambda: "20261207T101500Z")
    draws = iter(["aaaaaa", "aaaaaa", "bbbbbb"])
    monkeypatch.setattr(runfiles.secrets, "token_hex", lambda n: next(draws))
    (tmp_path / "20261207T101500Z-aaaaaa.json").write_text("{}")
    assert runfiles.new_run_id(tmp_path) == "20261207T101500Z-bbbbbb"


def test_ids_sort_by_start_and_old_ids_still_read(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.begin_run("20261201T231043Z", site="northnews")  # an id of the first release
        store.end_run("20261201T231043Z", status="finished", complete=True)
        new = runfiles.new_run_id()
        store.begin_run(new, site="northnews")
        assert store.get_run("20261201T231043Z")["status"] == "finished"
        assert store.previous_run(new, site="northnews")["run_id"] == "20261201T231043Z"


def test_a_manifest_is_never_overwritten_by_a_run_of_the_same_second(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runfiles, "compact", lambda: "20261207T101500Z")
    first = runfiles.new_run_id(tmp_path)
    runfiles.write_manifest(tmp_path, first, {"run_id": first})
    second = runfiles.new_run_id(tmp_path)
    runfiles.write_manifest(tmp_path, second, {"run_id": second})
    assert first != second
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"{first}.json", f"{second}.json"])
