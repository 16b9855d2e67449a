"""The store of record: versions, known articles, refresh, runs, durability, the archive lock."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from northnews.archive.lock import LOCK_FD_ENV, ArchiveLock, LockHeld
from northnews.ops.store import Store, store_path
from northnews.util.urls import url_key

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def article(url: str = "http://www.northnews.cn/2015/0915/2049381.shtml", body: str = "text", **extra) -> dict:
    item = {
        "url": url,
        "edition": "zh",
        "title": "标题",
        "published": "2015-09-15T15:21:00+08:00",
        "body": body,
        "content_digest": f"sha1:{abs(hash(body))}",
        "fetched_at": "2026-11-01T08:00:00Z",
        "warc": {"file": "northnews-x.warc.gz", "offset": 1234, "record_id": "<urn:uuid:1>"},
    }
    item.update(extra)
    return item


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock):
    with Store.open(tmp_path, clock=clock) as s:
        yield s


def test_file_is_sqlite_in_wal_mode_in_the_archive_dir(tmp_path: Path, store: Store) -> None:
    assert store.path == tmp_path / "northnews.sqlite3" == store_path(tmp_path)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"articles", "article_versions", "article_captures", "article_pending", "article_rejects", "runs"} <= tables
    assert not any(t.startswith("warc_") for t in tables)  # the WARC helper's namespace


def test_new_unchanged_updated_keep_every_version(store: Store, clock: Clock) -> None:
    url = "http://www.northnews.cn/2015/0915/2049381.shtml"
    assert store.record_item(article(body="one"), run_id="r1").outcome == "new"
    clock.now += timedelta(hours=1)
    assert store.record_item(article(body="one"), run_id="r2").outcome == "unchanged"
    clock.now += timedelta(hours=1)
    rec = store.record_item(article(body="two", warc={"file": "f2", "offset": 9, "record_id": "<r2>"}), run_id="r3")
    assert (rec.outcome, rec.version) == ("updated", 2)
    clock.now += timedelta(hours=1)
    # Back to the first text: that is a change from version 2, so a third version.
    assert store.record_item(article(body="one"), run_id="r4").version == 3

    versions = store.versions(url)
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert [json.loads(v["item_json"])["body"] for v in versions] == ["one", "two", "one"]
    assert (versions[1]["warc_file"], versions[1]["warc_offset"], versions[1]["warc_record_id"]) == ("f2", 9, "<r2>")
    assert versions[0]["title"] == "标题" and versions[0]["published"] == "2015-09-15T15:21:00+08:00"
    assert store.counts() == {"articles": 1, "versions": 3, "captures": 4, "pending": 0, "failed": 0}
    row = store.db.execute("SELECT first_seen, last_seen, latest_version FROM articles").fetchone()
    assert row["first_seen"].startswith("2026-11-01T08:00") and row["last_seen"].startswith("2026-11-01T11:00")
    assert row["latest_version"] == 3


def test_versions_are_never_overwritten_or_deleted(store: Store) -> None:
    store.record_item(article())
    with pytest.raises(sqlite3.IntegrityError, match="never overwritten"):
        store.db.execute("UPDATE article_versions SET title = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        store.db.execute("DELETE FROM article_versions")


def test_recording_the_same_item_again_is_idempotent(store: Store) -> None:
    for _ in range(3):
        store.record_item(article())
    assert store.counts()["versions"] == 1


def test_items_without_url_or_digest_are_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        store.record_item(article(url=""))
    with pytest.raises(ValueError):
        store.record_item(article(content_digest=None))
    assert store.counts()["articles"] == 0


def test_known_ignores_the_scheme_and_default_port(store: Store) -> None:
    store.record_item(article(url="http://www.northnews.cn/2015/0915/2049381.shtml"))
    assert store.is_known("http://www.northnews.cn/2015/0915/2049381.shtml")
    assert store.is_known("https://WWW.northnews.cn:443/2015/0915/2049381.shtml")
    assert not store.is_known("http://www.northnews.cn/2015/0915/2049382.shtml")
    assert not store.is_known("http://english.northnews.cn/2015/0915/2049381.shtml")
    assert url_key("http://www.northnews.cn:8080/a.shtml?x=1#f") == "www.northnews.cn:8080/a.shtml?x=1"


def test_one_article_is_one_row_whatever_its_scheme(store: Store) -> None:
    http = "http://www.northnews.cn/2015/0915/2049381.shtml"
    assert store.record_item(article(url=http, body="v1")).outcome == "new"
    same = store.record_item(article(url=http.replace("http:", "https:"), body="v1"))
    assert (same.outcome, same.version) == ("unchanged", 1)
    changed = store.record_item(article(url=http.replace("http:", "https:"), body="v2"))
    assert (changed.outcome, changed.version) == ("updated", 2)
    assert store.counts()["articles"] == 1
    assert [v["version"] for v in store.versions(http)] == [1, 2]


def test_refresh_makes_recent_articles_unknown(store: Store, clock: Clock) -> None:
    url_old, url_new = "http://www.northnews.cn/2015/0901/1.shtml", "http://www.northnews.cn/2015/0902/2.shtml"
    store.record_item(article(url=url_old))
    clock.now += timedelta(days=3)
    store.record_item(article(url=url_new))
    clock.now += timedelta(hours=1)
    known = store.is_known_fn(refresh_days=2)
    assert known(url_old) and not known(url_new)
    assert not store.is_known_fn(refresh_days=5)(url_old)
    assert store.is_known_fn()(url_new)  # no refresh: everything archived is known
    # Re-seeing an article does not move its first_seen: refresh stays about when it appeared.
    store.record_item(article(url=url_new))
    clock.now += timedelta(days=2, hours=1)
    assert store.is_known_fn(refresh_days=2)(url_new)


def test_a_reject_is_pending_not_known(store: Store) -> None:
    from northnews.ops.pending import PendingArticles

    url = "http://www.northnews.cn/2015/0930/2050950.shtml"
    PendingArticles(store).record(url, "missing_date", "DropItem: missing_date", site="northnews", run_id="r1")
    assert not store.is_known(url)  # due at once: the next run fetches it again
    assert store.counts() == {"articles": 0, "versions": 0, "captures": 0, "pending": 1, "failed": 0}
    assert list(store.export_rows()) == []


def test_runs_previous_and_stale(store: Store) -> None:
    assert store.previous_run("r1") is None
    store.begin_run("r1", pid=11, args={"refresh": "2"})
    store.end_run("r1", status="finished", complete=True, stats={"northnews/pages/fetched": 3})
    store.begin_run("r2", pid=12)
    assert store.previous_run("r2")["run_id"] == "r1"
    assert store.previous_run("r2")["complete"] is True
    assert store.previous_run("r2")["stats"] == {"northnews/pages/fetched": 3}
    assert store.previous_run("r-not-yet-recorded")["run_id"] == "r2"
    # r2 never ended (killed): the next run closes it and does not trust it.
    assert store.close_stale_runs() == ["r2"]
    store.begin_run("r3", pid=13)
    prev = store.previous_run("r3")
    assert (prev["run_id"], prev["status"], prev["complete"]) == ("r2", "killed", False)
    assert store.get_run("r1")["args"] == {"refresh": "2"}


def test_a_kill_loses_nothing_committed(tmp_path: Path) -> None:
    """Commit per item: a process SIGKILLed after N items leaves exactly N articles behind."""
    script = textwrap.dedent(
        f"""
        import os, signal
        from northnews.ops.store import Store
        s = Store.open({str(tmp_path)!r})
        for i in range(7):
            s.record_item({{"url": f"http://www.northnews.cn/2015/0915/{{i}}.shtml",
                            "content_digest": f"sha1:{{i}}", "title": "t"}})
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parent.parent)
    assert proc.returncode == -signal.SIGKILL
    with Store.open(tmp_path) as s:
        assert s.counts()["articles"] == 7
        assert s.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# --- the lock ---------------------------------------------------------------------------------


def test_lock_is_exclusive_and_says_who_holds_it(tmp_path: Path) -> None:
    first = ArchiveLock(tmp_path).acquire("20261101T080000Z")
    try:
        with pytest.raises(LockHeld, match=rf"pid {os.getpid()}.*20261101T080000Z"):
            ArchiveLock(tmp_path).acquire("second")
    finally:
        first.release()
    ArchiveLock(tmp_path).acquire().release()  # free again


def test_lock_dies_with_its_holder(tmp_path: Path) -> None:
    script = (
        "import os, signal, sys; from northnews.archive.lock import ArchiveLock; "
        f"ArchiveLock({str(tmp_path)!r}).acquire('x'); print('held', flush=True); "
        "os.kill(os.getpid(), signal.SIGKILL)"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).parent.parent)
    assert proc.stdout.strip() == "held" and proc.returncode == -signal.SIGKILL
    ArchiveLock(tmp_path).acquire().release()


def test_lock_is_inherited_through_the_fd_cron_passes_down(tmp_path: Path) -> None:
    held = ArchiveLock(tmp_path).acquire("cron")
    check = (
        "import sys; from northnews.archive.lock import ArchiveLock, LockHeld\n"
        f"lock = ArchiveLock({str(tmp_path)!r})\n"
        "if lock.inherit(): print('inherited')\n"
        "else:\n"
        "    try: lock.acquire()\n"
        "    except LockHeld: print('held elsewhere')\n"
    )
    repo = Path(__file__).parent.parent
    try:
        env = dict(os.environ, **{LOCK_FD_ENV: str(held.fd)})
        child = subprocess.run([sys.executable, "-c", check], pass_fds=(held.fd,), env=env,
                               capture_output=True, text=True, cwd=repo)
        assert child.stdout.strip() == "inherited", child.stderr
        # Without the descriptor (a plain `scrapy crawl` started by hand): refused.
        env = {k: v for k, v in os.environ.items() if k != LOCK_FD_ENV}
        other = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True, cwd=repo)
        assert other.stdout.strip() == "held elsewhere", other.stderr
        # A forged variable naming some other open file does not pass either.
        with open(tmp_path / "other", "w") as fh:
            env = dict(os.environ, **{LOCK_FD_ENV: str(fh.fileno())})
            forged = subprocess.run([sys.executable, "-c", check], pass_fds=(fh.fileno(),), env=env,
                                    capture_output=True, text=True, cwd=repo)
        assert forged.stdout.strip() == "held elsewhere", forged.stderr
    finally:
        held.release()


# --- commits in groups (a crawl's StorePipeline: NORTHNEWS_STORE_COMMIT_INTERVAL) --------------


def _rows(db: sqlite3.Connection) -> dict[str, list[tuple]]:
    tables = ("articles", "article_versions", "article_captures", "article_pending", "search_docs")
    return {t: [tuple(r) for r in db.execute(f"SELECT * FROM {t} ORDER BY rowid")] for t in tables}


def test_grouped_commits_store_the_same_rows_as_one_commit_per_item(tmp_path: Path) -> None:
    items = [article(f"http://www.northnews.cn/2015/0915/{i // 3}.shtml", body=f"第{i // 2}版") for i in range(12)]
    stores = {}
    for name, seconds in (("each", 0.0), ("grouped", 3600.0)):
        s = Store(tmp_path / name / "northnews.sqlite3", clock=Clock())
        assert s.group_commits(seconds) is True
        outcomes = [s.record_item(item, run_id="r1") for item in items]
        s.flush()
        stores[name] = (s, outcomes)
    (each, each_out), (grouped, grouped_out) = stores["each"], stores["grouped"]
    assert each_out == grouped_out
    assert {o.outcome for o in grouped_out} == {"new", "updated", "unchanged"}
    assert _rows(each.db) == _rows(grouped.db)
    each.close()
    grouped.close()


def test_a_group_is_read_by_its_own_connection_and_seen_by_others_once_committed(tmp_path: Path) -> None:
    url = "http://www.northnews.cn/2015/0915/1.shtml"
    with Store.open(tmp_path, clock=Clock()) as s:
        s.group_commits(3600.0)
        s.record_item(article(url), run_id="r1")
        assert s.is_known(url)  # "already archived?" answers from the open group
        other = sqlite3.connect(store_path(tmp_path))
        assert other.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        s.flush()
        assert other.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
        other.close()


def test_a_group_is_committed_once_its_interval_has_passed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import northnews.ops.store as store_module

    now = [100.0]
    monkeypatch.setattr(store_module.time, "monotonic", lambda: now[0])
    with Store.open(tmp_path, clock=Clock()) as s:
        s.group_commits(1.0)
        s.record_item(article("http://www.northnews.cn/2015/0915/1.shtml"), run_id="r1")
        assert s.db.in_transaction
        now[0] += 0.5
        s.record_item(article("http://www.northnews.cn/2015/0915/2.shtml"), run_id="r1")
        assert s.db.in_transaction  # 0.5 s since the group began: still open
        now[0] += 0.5
        s.record_item(article("http://www.northnews.cn/2015/0915/3.shtml"), run_id="r1")
        assert not s.db.in_transaction  # 1 s: committed
        other = sqlite3.connect(store_path(tmp_path))
        assert other.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
        other.close()


def test_a_failed_transaction_in_a_group_rolls_back_alone(tmp_path: Path) -> None:
    with Store.open(tmp_path, clock=Clock()) as s:
        s.group_commits(3600.0)
        s.record_item(article("http://www.northnews.cn/2015/0915/1.shtml"), run_id="r1")
        with pytest.raises(RuntimeError), s.transaction(group=True) as db:
            db.execute("INSERT INTO store_meta (key, value) VALUES ('x', 'y')")
            raise RuntimeError("a failure half-way")
        s.record_item(article("http://www.northnews.cn/2015/0915/2.shtml"), run_id="r1")
        s.flush()
        assert s.counts()["articles"] == 2
        assert s.db.execute("SELECT count(*) FROM store_meta WHERE key = 'x'").fetchone()[0] == 0
    with Store.open(tmp_path) as s:  # closed: committed
        assert s.counts()["articles"] == 2


def test_a_run_record_commits_the_open_group_and_itself_at_once(tmp_path: Path) -> None:
    """Only items are grouped: a run's record (and a pending article) is committed as it is
    written, after the items grouped before it, so another connection (cron, the next run, the
    crawl command closing a run a second SIGINT left open) sees both and can write at once."""
    with Store.open(tmp_path, clock=Clock()) as s:
        s.group_commits(3600.0)
        s.begin_run("r1", pid=1)
        s.record_item(article("http://www.northnews.cn/2015/0915/1.shtml"), run_id="r1")
        assert s.db.in_transaction  # the item's group is open
        s.end_run("r1", status="shutdown", complete=False)
        assert not s.db.in_transaction
        other = sqlite3.connect(store_path(tmp_path), timeout=0)  # would wait for a write lock held
        assert other.execute("SELECT status FROM runs").fetchall() == [("shutdown",)]
        assert other.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
        with other:
            other.execute("UPDATE runs SET note = 'closed elsewhere'")
        other.close()


def test_a_kill_loses_only_the_open_group_and_leaves_a_sound_store(tmp_path: Path) -> None:
    """Grouped commits: what was committed survives SIGKILL whole; the open group is gone whole
    (its articles are not known: the next run fetches them again)."""
    script = textwrap.dedent(
        f"""
        import os, signal
        from northnews.ops.store import Store
        s = Store.open({str(tmp_path)!r})
        s.group_commits(3600.0)
        for i in range(7):
            s.record_item({{"url": f"http://www.northnews.cn/2015/0915/{{i}}.shtml",
                            "content_digest": f"sha1:{{i}}", "title": "t"}})
            if i == 4:
                s.flush()
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parent.parent)
    assert proc.returncode == -signal.SIGKILL
    with Store.open(tmp_path) as s:
        assert s.counts()["articles"] == s.counts()["captures"] == 5
        assert not s.is_known("http://www.northnews.cn/2015/0915/5.shtml")
        assert s.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
