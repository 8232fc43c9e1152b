"""Group commit (core.group_commit): how concurrent submits are grouped, and what each caller is told.

No database here: the writer is a list. tests/api/test_concurrency.py runs arrivals through it on
both engines.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import pytest

from liaison.core import group_commit
from liaison.core.group_commit import GroupCommit, NotWritten

WAIT = 10  # seconds: far beyond any real wait here; a thread still alive after it is a hang


def start(target, *args) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)  # a hang must not hang pytest
    thread.start()
    return thread


def finish(*threads: threading.Thread) -> None:
    for thread in threads:
        thread.join(WAIT)
    assert not any(t.is_alive() for t in threads), "a submit never returned"


def submitter(commit: GroupCommit, results: dict[str, BaseException | None]) -> Callable[[str], None]:
    """A thread body: submit an item and record how it ended (None, or what it raised)."""

    def run(item: str) -> None:
        try:
            commit.submit(item)
            results[item] = None
        except BaseException as exc:
            results[item] = exc

    return run


def wait_for_queue(commit: GroupCommit, length: int) -> None:
    deadline = time.monotonic() + WAIT
    while len(commit._queue) < length:
        assert time.monotonic() < deadline, "the submits never queued"
        time.sleep(0.001)


class Writer:
    """Records each group it is asked to write; holds the first write until released; fails on request."""

    def __init__(self, *, hold_first: bool = False, bad: frozenset[str] = frozenset()) -> None:
        self.groups: list[list[str]] = []
        self.committed: list[str] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.hold_first = hold_first
        self.bad = bad

    def __call__(self, items: Sequence[str]) -> None:
        self.groups.append(list(items))
        if self.hold_first and len(self.groups) == 1:
            self.entered.set()
            assert self.release.wait(10)
        if self.bad & set(items):
            raise ValueError(f"cannot write {sorted(self.bad & set(items))}")
        self.committed.extend(items)


def submit_on_threads(commit: GroupCommit[str], items: list[str], writer: Writer) -> dict[str, object]:
    """Submit `items[0]`, wait until its write is under way, queue the rest, then let it finish.
    Returns what each submit ended with: None, or the exception it raised."""
    outcome: dict[str, object] = {}
    seen_committed: dict[str, bool] = {}

    def run(item: str) -> None:
        try:
            commit.submit(item)
            outcome[item] = None
        except Exception as exc:
            outcome[item] = exc
        seen_committed[item] = item in writer.committed  # what was true when submit returned

    first = start(run, items[0])
    assert writer.entered.wait(WAIT)
    rest = [start(run, item) for item in items[1:]]
    wait_for_queue(commit, len(items) - 1)
    writer.release.set()
    finish(first, *rest)
    outcome["_seen_committed"] = seen_committed
    return outcome


def test_a_lone_submit_is_written_at_once_alone():
    writer = Writer()
    commit = GroupCommit(writer)
    commit.submit("a")
    commit.submit("b")
    assert writer.groups == [["a"], ["b"]]
    assert (commit.groups, commit.items) == (2, 2)


def test_submits_that_arrive_during_a_write_are_written_together_next():
    writer = Writer(hold_first=True)
    commit = GroupCommit(writer)
    outcome = submit_on_threads(commit, ["a", "b", "c", "d"], writer)
    assert writer.groups[0] == ["a"]
    assert sorted(writer.groups[1]) == ["b", "c", "d"] and len(writer.groups) == 2
    assert [outcome[i] for i in "abcd"] == [None] * 4
    # Nobody was told "done" before their item was written.
    assert outcome["_seen_committed"] == dict.fromkeys("abcd", True)


def test_a_group_is_no_bigger_than_max_group():
    writer = Writer(hold_first=True)
    commit = GroupCommit(writer, max_group=2)
    outcome = submit_on_threads(commit, ["a", "b", "c", "d", "e"], writer)
    assert [len(g) for g in writer.groups] == [1, 2, 2]
    assert sorted(writer.committed) == ["a", "b", "c", "d", "e"]
    assert all(outcome[i] is None for i in "abcde")


@pytest.mark.parametrize(
    ("bad", "failed"),
    [
        (frozenset({"c"}), {"c"}),  # one bad item in a group: only its submit fails
        (frozenset({"b", "d"}), {"b", "d"}),
        (frozenset({"a"}), {"a"}),  # the first, written alone, fails alone
        (frozenset(), set()),
    ],
)
def test_a_failed_group_is_tried_again_item_by_item(bad, failed):
    writer = Writer(hold_first=True, bad=bad)
    commit = GroupCommit(writer, retry_alone=(ValueError,))
    outcome = submit_on_threads(commit, ["a", "b", "c", "d"], writer)
    assert {i for i in "abcd" if outcome[i] is not None} == failed
    for item in failed:
        assert isinstance(outcome[item], ValueError)
    assert sorted(writer.committed) == sorted(set("abcd") - failed)
    assert outcome["_seen_committed"] == {i: i not in failed for i in "abcd"}


def test_a_writer_that_dies_without_an_exception_reports_nothing_as_written():
    def dies(items: Sequence[str]) -> None:
        raise KeyboardInterrupt  # not an Exception: not retried, and not success either

    commit = GroupCommit(dies, retry_alone=(Exception,))
    with pytest.raises(KeyboardInterrupt):
        commit.submit("a")
    # The next submit is not stuck behind the dead write.
    writer = Writer()
    commit._write = writer
    commit.submit("b")
    assert writer.committed == ["b"]


def test_a_failure_not_worth_retrying_is_every_items_answer_and_nothing_is_written_twice():
    writer = Writer(hold_first=True, bad=frozenset({"c"}))
    commit = GroupCommit(writer, retry_alone=(KeyError,))  # a ValueError is not retried
    outcome = submit_on_threads(commit, ["a", "b", "c", "d"], writer)
    assert outcome["a"] is None
    assert all(isinstance(outcome[i], ValueError) for i in "bcd")
    assert len(writer.groups) == 2 and writer.committed == ["a"]


def test_waiters_of_a_dead_write_are_told_it_was_not_written():
    entered, release = threading.Event(), threading.Event()
    calls: list[list[str]] = []

    def dies_on_first(items: Sequence[str]) -> None:
        calls.append(list(items))
        if len(calls) == 2:  # the queued group's write
            raise SystemExit
        if len(calls) == 1:
            entered.set()
            release.wait(WAIT)

    commit = GroupCommit(dies_on_first)
    results: dict[str, BaseException | None] = {}
    run = submitter(commit, results)

    first = start(run, "a")
    assert entered.wait(WAIT)
    others = [start(run, i) for i in "bc"]
    wait_for_queue(commit, 2)
    release.set()
    finish(first, *others)
    assert results["a"] is None
    # b led the second group and died: b sees its own SystemExit, c is told it was not written.
    outcomes = {results["b"].__class__, results["c"].__class__}
    assert outcomes == {SystemExit, NotWritten}
    assert not commit._writing and not commit._queue


class Interrupted(threading.Event):
    """A waiting request thread interrupted: at once, or just after it is woken (handed the lead)."""

    def __init__(self, *, after_waking: bool) -> None:
        super().__init__()
        self.after_waking = after_waking

    def wait(self, timeout: float | None = None) -> bool:
        if self.after_waking:
            super().wait(timeout)
        raise KeyboardInterrupt


@pytest.mark.parametrize("after_waking", [False, True])
def test_an_interrupted_waiter_takes_its_item_back_and_strands_nobody(monkeypatch, after_waking):
    real_ticket = group_commit._Ticket

    def ticket(item: str) -> group_commit._Ticket[str]:
        made = real_ticket(item)
        if item == "b":
            made.settled = Interrupted(after_waking=after_waking)
        return made

    monkeypatch.setattr(group_commit, "_Ticket", ticket)
    writer = Writer(hold_first=True)
    commit = GroupCommit(writer)
    results: dict[str, BaseException | None] = {}
    run = submitter(commit, results)

    first = start(run, "a")
    assert writer.entered.wait(WAIT)
    b = start(run, "b")
    if not after_waking:
        finish(b)  # interrupted while a was still writing
    c = start(run, "c")
    wait_for_queue(commit, 1 if not after_waking else 2)
    writer.release.set()
    finish(first, b, c)
    assert isinstance(results["b"], KeyboardInterrupt)
    assert results["a"] is None and results["c"] is None
    assert "b" not in writer.committed and sorted(writer.committed) == ["a", "c"]
    assert not commit._writing and not commit._queue
    later = start(run, "d")  # and the next arrival is written, not stuck
    finish(later)
    assert results["d"] is None and writer.committed[-1] == "d"
