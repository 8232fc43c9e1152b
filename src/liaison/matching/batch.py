"""Blocking and scoring over a whole set of records in memory. No Django imports.

Used by the duplicate batch (`liaison find-duplicates`), the training and the evaluation. Blocking:
two records are compared only when they share at least one key (NHS number, PNC ID, date of birth
with day and month in either order, last-name sound with year of birth, last-name sound with day
and month, first-name key with last-name sound). Each record is visited once and compared with the
later records in its blocks, so no global set of pairs is held in memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from liaison.matching.engine import Model
from liaison.matching.features import Prepared, all_keys

# A block this large is a key that says almost nothing (a very common name with no date): its
# pairs would cost more than they find, and another key still pairs the true matches in it.
MAX_BLOCK = 400


@dataclass
class BlockIndex:
    keys: list[tuple[tuple[str, str], ...]]
    blocks: dict[tuple[str, str], list[int]]
    skipped_blocks: int = 0


def build_index(prepared: Sequence[Prepared], *, max_block: int = MAX_BLOCK) -> BlockIndex:
    keys = [tuple(all_keys(p)) for p in prepared]
    blocks: dict[tuple[str, str], list[int]] = {}
    for index, record_keys in enumerate(keys):
        for key in record_keys:
            blocks.setdefault(key, []).append(index)
    too_big = [key for key, members in blocks.items() if len(members) > max_block]
    for key in too_big:
        del blocks[key]
    return BlockIndex(keys=keys, blocks=blocks, skipped_blocks=len(too_big))


def candidate_pairs(index: BlockIndex, start: int = 0, stop: int | None = None) -> Iterator[tuple[int, int]]:
    """Every blocked pair (i, j) with i < j, once, for i in [start, stop)."""
    stop = len(index.keys) if stop is None else stop
    blocks = index.blocks
    for i in range(start, stop):
        seen: set[int] = set()
        for key in index.keys[i]:
            members = blocks.get(key)
            if members is None:
                continue
            for j in members:
                if j > i:
                    seen.add(j)
        for j in sorted(seen):
            yield i, j


@dataclass
class ScoredPair:
    i: int
    j: int
    weight: float


@dataclass
class BatchResult:
    pairs: list[ScoredPair] = field(default_factory=list)
    compared: int = 0
    seconds: float = 0.0


def find_matches(
    prepared: Sequence[Prepared],
    model: Model,
    *,
    min_weight: float,
    index: BlockIndex | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Score every blocked pair and keep those whose evidence weight reaches `min_weight`."""
    started = time.perf_counter()
    index = index or build_index(prepared)
    result = BatchResult()
    weight = model.match_weight
    last_i = -1
    for i, j in candidate_pairs(index):
        result.compared += 1
        w = weight(prepared[i], prepared[j])
        if w >= min_weight:
            result.pairs.append(ScoredPair(i, j, w))
        if progress is not None and i != last_i and i % 1000 == 0:
            progress(i, len(prepared))
            last_i = i
    result.seconds = time.perf_counter() - started
    return result
