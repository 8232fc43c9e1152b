"""Small-number suppression: no count of 1 to 4 is visible to a commissioner, directly or by subtraction.

Checked by brute force on many random tables: every sensitive cell is hidden, has at least two unknowns
in each of its lines, and is not determined by ANY combination of the lines (exact linear algebra).
"""

from __future__ import annotations

import random

import pytest

from liaison.outcomes import suppression as sup


def _check(table: sup.Table) -> set:
    hidden = sup.suppress(table)
    unknown = hidden | table.hidden
    for key, value in table.values.items():
        if sup.is_small(value) and key not in table.hidden:
            assert key in hidden, (key, value)
    for key in unknown:
        if not sup.is_small(table.values[key]):
            continue
        for total, members in table.lines:
            line = (total, *members)
            if key in line:
                assert sum(1 for k in line if k in unknown) >= 2, (key, line)
    assert not {k for k in sup.recoverable(table, unknown) if sup.is_small(table.values[k])}
    return hidden


@pytest.mark.parametrize(
    ("rows", "must_hide"),
    [
        # one small cell: its row and column each need a second unknown
        ([[10, 3], [20, 30]], {(0, 1), (0, 0), (1, 1), (1, 0)}),
        # nothing small: nothing hidden
        ([[10, 12], [20, 30]], set()),
        # zeros are shown, not suppressed
        ([[0, 10], [20, 30]], set()),
    ],
)
def test_grid_examples(rows, must_hide):
    hidden = _check(sup.grid_table(rows))
    assert hidden == must_hide


def test_a_single_small_cell_in_a_row_with_a_total_hides_one_more():
    table = sup.series_table([40, 2, 17], 59)
    hidden = _check(table)
    assert hidden == {1, 2}  # the 2, and the next smallest cell


def test_a_list_that_is_not_a_partition_only_hides_the_small_counts():
    hidden = _check(sup.series_table([40, 2, 17], None))
    assert hidden == {1}


def test_funnel_step_that_loses_one_to_four_people_hides_the_next_step():
    # 100 screened, 98 assessed: "2 were not assessed" must not be worked out
    table = sup.funnel_table([120, 100, 98, 40])
    hidden = _check(table)
    assert 2 in hidden
    assert 0 not in hidden and 1 not in hidden


def test_funnel_with_a_small_step():
    hidden = _check(sup.funnel_table([50, 30, 3, 0]))
    assert 2 in hidden


@pytest.mark.parametrize("seed", range(60))
def test_random_grids_never_reveal_a_small_cell(seed):
    rng = random.Random(seed)
    rows = [[rng.choice([0, 1, 2, 3, 4, 5, 7, 12, 30]) for _ in range(rng.randint(1, 5))]]
    width = len(rows[0])
    rows += [
        [rng.choice([0, 1, 2, 3, 4, 5, 7, 12, 30]) for _ in range(width)] for _ in range(rng.randint(0, 5))
    ]
    _check(sup.grid_table(rows, row_totals=rng.random() < 0.7, column_totals=True))


@pytest.mark.parametrize("seed", range(30))
def test_random_funnels_never_reveal_a_small_step(seed):
    rng = random.Random(1000 + seed)
    stages = [rng.randint(0, 60)]
    for _ in range(6):
        stages.append(max(0, stages[-1] - rng.choice([0, 1, 2, 3, 4, 5, 9, 20])))
    _check(sup.funnel_table(stages))


def test_the_bridge_between_two_cycles_is_not_left_recoverable():
    # Each line has two unknowns after naive complementary suppression, yet a cell can still be
    # determined by combining lines: the linear-algebra check catches and closes it.
    rows = [
        [2, 3, 9, 9],
        [3, 2, 9, 9],
        [9, 9, 9, 9],
        [9, 9, 9, 9],
    ]
    _check(sup.grid_table(rows))
