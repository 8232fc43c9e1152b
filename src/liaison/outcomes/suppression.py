"""Small-number suppression for commissioners: counts of 1 to 4 are shown as "*", and no "*" can be
worked out by subtraction from the numbers that are shown.

A table is a set of cells and a list of LINES: each line says "this total is the sum of these
cells" (a row with its row total, a column with its column total, a funnel stage with the next stage
and the people who left between them). Some cells are HIDDEN: never printed, but implied by a line
(the people who left between two funnel stages).

1. Primary: every printed or hidden cell holding 1 to 4 is sensitive; printed ones become "*".
2. Secondary: while some sensitive cell can still be recovered exactly from the printed numbers
   (it is a linear combination of the lines: worked out here by exact Gaussian elimination over the
   unknown cells), suppress one more printed cell near it: the one that leaves fewest sensitive cells
   recoverable, then fewest cells recoverable at all, preferring a non-total, a non-zero and then the
   smallest. Repeat until nothing sensitive is recoverable.

So every sensitive cell has at least two unknowns in each of its lines, and no combination of rows
and columns gives it away. (Ranges are not protected: someone may still learn "between 0 and 8".)
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

SUPPRESSED = "*"
LOW, HIGH = 1, 4

Key = Hashable


@dataclass
class Table:
    values: dict[Key, int]
    # (total, members): values[total] == sum(values[m] for m in members)
    lines: list[tuple[Key, tuple[Key, ...]]] = field(default_factory=list)
    hidden: set[Key] = field(default_factory=set)
    totals: set[Key] = field(default_factory=set)


def is_small(value: int | None) -> bool:
    return value is not None and LOW <= value <= HIGH


def _rref(rows: list[list[Fraction]]) -> list[int]:
    """Reduce `rows` (Fractions) to reduced row echelon form in place; return the pivot columns."""
    pivots: list[int] = []
    rank = 0
    width = len(rows[0]) if rows else 0
    for col in range(width):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        lead = rows[rank][col]
        rows[rank] = [v / lead for v in rows[rank]]
        for r in range(len(rows)):
            if r != rank and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        pivots.append(col)
        rank += 1
    return pivots


def recoverable(table: Table, unknown: set[Key]) -> set[Key]:
    """The unknown cells whose exact value follows from the known cells and the lines.

    An unknown is determined exactly when it is a pivot of the reduced system and its row has no
    free (undetermined) unknown in it: then the null space is zero in its coordinate.
    """
    order = sorted(unknown, key=repr)
    index = {k: i for i, k in enumerate(order)}
    matrix: list[list[Fraction]] = []
    for total, members in table.lines:
        row = [Fraction(0)] * len(order)
        for key, sign in ((total, -1), *((m, 1) for m in members)):
            if key in index:
                row[index[key]] += sign
        if any(row):
            matrix.append(row)
    if not matrix:
        return set()
    pivots = _rref(matrix)
    free = [c for c in range(len(order)) if c not in set(pivots)]
    return {order[col] for r, col in enumerate(pivots) if all(matrix[r][f] == 0 for f in free)}


def suppress(table: Table) -> set[Key]:
    """The printed cells to show as "*" (hidden cells are never printed anyway).

    Greedy with one step of look-ahead: each extra cell is the one that leaves fewest sensitive cells
    recoverable, then fewest cells recoverable at all, preferring non-totals, non-zeros, then the smallest.
    """
    sensitive = {k for k, v in table.values.items() if is_small(v)}
    suppressed = {k for k in sensitive if k not in table.hidden}
    printed = {k for k in table.values if k not in table.hidden}
    for _ in range(len(table.values)):
        unknown = suppressed | table.hidden
        found = recoverable(table, unknown)
        if not found & sensitive:
            return suppressed
        near = {k for total, members in table.lines if found & {total, *members} for k in (total, *members)}
        candidates = (near & printed) - suppressed or printed - suppressed
        if not candidates:
            break

        def score(key: Key, unknown: set[Key] = unknown) -> tuple:
            after = recoverable(table, unknown | {key})
            value = table.values[key]
            return (len(after & sensitive), len(after), key in table.totals, value == 0, value, repr(key))

        suppressed.add(min(candidates, key=score))
    # Unreachable in practice (hiding every printed cell protects everything); stay safe regardless.
    return suppressed | printed if recoverable(table, suppressed | table.hidden) & sensitive else suppressed


# --- table shapes ---------------------------------------------------------------------------------

TOTAL = "total"


def grid_table(
    rows: Sequence[Sequence[int]], *, row_totals: bool = True, column_totals: bool = True
) -> Table:
    """An m x n grid with cells (i, j), row totals (i, TOTAL), column totals (TOTAL, j), grand total."""
    values: dict[Key, int] = {}
    lines: list[tuple[Key, tuple[Key, ...]]] = []
    totals: set[Key] = set()
    width = len(rows[0]) if rows else 0
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            values[(i, j)] = int(v)
    if row_totals:
        for i, row in enumerate(rows):
            values[(i, TOTAL)] = sum(row)
            totals.add((i, TOTAL))
            lines.append(((i, TOTAL), tuple((i, j) for j in range(width))))
    if column_totals:
        for j in range(width):
            values[(TOTAL, j)] = sum(row[j] for row in rows)
            totals.add((TOTAL, j))
            lines.append(((TOTAL, j), tuple((i, j) for i in range(len(rows)))))
    if row_totals and column_totals:
        values[(TOTAL, TOTAL)] = sum(sum(row) for row in rows)
        totals.add((TOTAL, TOTAL))
        lines.append(((TOTAL, TOTAL), tuple((i, TOTAL) for i in range(len(rows)))))
        lines.append(((TOTAL, TOTAL), tuple((TOTAL, j) for j in range(width))))
    return Table(values=values, lines=lines, totals=totals)


def series_table(values: Sequence[int], total: int | None) -> Table:
    """A list of counts, with the total they add up to (when they partition it), or none."""
    cells: dict[Key, int] = {i: int(v) for i, v in enumerate(values)}
    lines: list[tuple[Key, tuple[Key, ...]]] = []
    totals: set[Key] = set()
    if total is not None:
        cells[TOTAL] = int(total)
        totals.add(TOTAL)
        rest = int(total) - sum(int(v) for v in values)
        members: tuple[Key, ...] = tuple(range(len(values)))
        if rest:
            # Some of the total is in no listed cell ("other"): an implied, never-printed cell.
            cells["rest"] = rest
            members = (*members, "rest")
        lines.append((TOTAL, members))
        table = Table(values=cells, lines=lines, totals=totals, hidden={"rest"} if rest else set())
        return table
    return Table(values=cells)


def funnel_table(stages: Sequence[int]) -> Table:
    """Nested stages: stage i = stage i+1 + the people who left between them (implied, hidden)."""
    values: dict[Key, int] = {i: int(v) for i, v in enumerate(stages)}
    lines: list[tuple[Key, tuple[Key, ...]]] = []
    hidden: set[Key] = set()
    for i in range(len(stages) - 1):
        left = ("left", i)
        values[left] = int(stages[i]) - int(stages[i + 1])
        hidden.add(left)
        lines.append((i, (i + 1, left)))
    return Table(values=values, lines=lines, hidden=hidden, totals={0})


def shown(value: int, key: Key, suppressed: set[Key]) -> int | str:
    return SUPPRESSED if key in suppressed else value
