"""Group commit: concurrent requests in one process share a transaction, and each still returns
only after its own work has committed.

A request thread checks its work, then hands it to `GroupCommit.submit` and waits. If no thread of
the process is writing, it writes at once, alone. If one is, its work queues; when that write ends,
the first thread in the queue writes everything queued by then in one transaction (up to
`max_group` items), and so on. Nothing waits on a timer, so a lone request is never slowed; under
load, n requests cost one transaction, one audit-chain append and a few multi-row statements
instead of n of each (docs/adr/0013-intake-group-commit.md).

Nothing is acknowledged before it is written: `submit` returns once the transaction holding its
item has committed, and raises if it did not. If a group's transaction fails with one of the
`retry_alone` exceptions (say, a constraint one item breaks), each of its items is tried again alone,
so one bad item fails only its own request; any other failure is every item's answer, untried
(after a lost connection the group may even have committed: writing it again would duplicate it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class NotWritten(RuntimeError):
    """The thread writing this item's group stopped before it could say whether the item was saved."""


class _Ticket(Generic[T]):
    __slots__ = ("error", "item", "lead", "settled")

    def __init__(self, item: T) -> None:
        self.item = item
        self.settled = threading.Event()  # written (or failed), or handed the lead
        self.lead = False
        # Until a write says otherwise, the item is not saved: a writer that dies cannot make a
        # waiting request report success.
        self.error: BaseException | None = NotWritten("the write of this item did not finish")


class GroupCommit(Generic[T]):
    """Writes submitted items in groups with `write(items)`, which must be all or nothing."""

    def __init__(
        self,
        write: Callable[[Sequence[T]], None],
        *,
        retry_alone: tuple[type[Exception], ...] = (),
        max_group: int = 64,
    ) -> None:
        self._write = write
        self.retry_alone = retry_alone
        self.max_group = max_group
        self._lock = threading.Lock()
        self._queue: list[_Ticket[T]] = []
        self._writing = False
        self.groups = 0  # groups written or tried, and the items in them (for tests and profiling)
        self.items = 0

    def submit(self, item: T) -> None:
        """Write `item`, with whatever else is queued; return once it is committed, or raise."""
        ticket = _Ticket(item)
        with self._lock:
            self._queue.append(ticket)
            lead = not self._writing
            self._writing = True
        if not lead:
            try:
                ticket.settled.wait()
            except BaseException:
                self._withdraw(ticket)
                raise
            lead = ticket.lead
        if lead:
            self._lead()
        if ticket.error is not None:
            raise ticket.error

    def _lead(self) -> None:
        # The leader's own ticket heads the queue: a new leader finds the queue empty, and a
        # promoted one is the first left in it.
        with self._lock:
            group = self._queue[: self.max_group]
            del self._queue[: len(group)]
        try:
            self._commit(group)
        finally:
            with self._lock:
                self._hand_on()
            for ticket in group:
                ticket.settled.set()

    def _hand_on(self) -> None:
        """With the lock held: the first queued thread writes next, or nobody is writing."""
        if self._queue:
            following = self._queue[0]
            following.lead = True
            following.settled.set()
        else:
            self._writing = False

    def _withdraw(self, ticket: _Ticket[T]) -> None:
        """A waiting thread was interrupted: take its item back if no group has taken it yet, and
        pass on the lead if it had just been handed it, so the threads behind it are not stranded.
        (An item already in a group under way is written or not with that group.)"""
        with self._lock:
            if ticket in self._queue:
                self._queue.remove(ticket)
                if ticket.lead:
                    self._hand_on()

    def _commit(self, group: list[_Ticket[T]]) -> None:
        self.groups += 1
        self.items += len(group)
        try:
            self._write([t.item for t in group])
        except Exception as exc:
            if len(group) == 1 or not isinstance(exc, self.retry_alone):
                for ticket in group:
                    ticket.error = exc
                return
            for ticket in group:  # one bad item must not fail the others: each alone
                try:
                    self._write([ticket.item])
                except Exception as alone:
                    ticket.error = alone
                else:
                    ticket.error = None
        else:
            for ticket in group:
                ticket.error = None
