"""Blocking and scoring over a whole set of records in memory. No Django imports.

Used by the duplicate batch (`liaison find-duplicates`), the training and the evaluation. Blocking:
two records are compared only when they share at least one key (NHS number, PNC ID, date of birth
with day and month in either order, last-name sound with year of birth, last-name sound with day
and month, first-name key with last-name sound). Each record is visited once and compared with the
later records in its blocks, so no global set of pairs is held in memory.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

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
    workers: int = 1,
) -> BatchResult:
    """Score every blocked pair and keep those whose evidence weight reaches `min_weight`.

    With `workers` > 1 (and where processes can be forked) the records are cut into slices scored in
    that many processes, which share the prepared records and the index copy-on-write; the pairs come
    back in the same order as from one process.
    """
    started = time.perf_counter()
    index = index or build_index(prepared)
    result = BatchResult()
    slices = [(start, min(start + SLICE, len(prepared))) for start in range(0, len(prepared), SLICE)]
    if workers > 1 and len(slices) > 1 and "fork" in multiprocessing.get_all_start_methods():
        _SHARED.update(prepared=prepared, model=model, min_weight=min_weight, index=index)
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for done, (compared, pairs) in enumerate(pool.imap(_score_slice, slices), start=1):
                    result.compared += compared
                    result.pairs.extend(pairs)
                    if progress is not None:
                        progress(slices[done - 1][1], len(prepared))
        finally:
            _SHARED.clear()
    else:
        for start, stop in slices:
            compared, pairs = _score(prepared, model, min_weight, index, start, stop)
            result.compared += compared
            result.pairs.extend(pairs)
            if progress is not None:
                progress(stop, len(prepared))
    result.seconds = time.perf_counter() - started
    return result


# Records per slice of the work: small enough to show progress and balance two processes.
SLICE = 5000
# What a forked scoring process reads (set just before the fork, cleared after).
_SHARED: dict[str, Any] = {}


def _score(
    prepared: Sequence[Prepared], model: Model, min_weight: float, index: BlockIndex, start: int, stop: int
) -> tuple[int, list[ScoredPair]]:
    weight = model.match_weight
    compared = 0
    pairs: list[ScoredPair] = []
    for i, j in candidate_pairs(index, start, stop):
        compared += 1
        w = weight(prepared[i], prepared[j])
        if w >= min_weight:
            pairs.append(ScoredPair(i, j, w))
    return compared, pairs


def _score_slice(bounds: tuple[int, int]) -> tuple[int, list[ScoredPair]]:
    shared = _SHARED
    return _score(shared["prepared"], shared["model"], shared["min_weight"], shared["index"], *bounds)


def default_workers() -> int:
    """Both cores of a small machine for the batch, unless LIAISON_MATCH_WORKERS says otherwise."""
    raw = os.environ.get("LIAISON_MATCH_WORKERS")
    if raw:
        return max(1, int(raw))
    return min(4, os.cpu_count() or 1)
