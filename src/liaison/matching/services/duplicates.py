"""The duplicate batch: every likely pair of records of one person across the whole database, kept as
DuplicatePair rows for a team lead to review; and the review itself (confirm or reject)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from liaison.core.audit import audit
from liaison.core.errors import NotPermitted
from liaison.core.models import Role, User
from liaison.matching.batch import build_index, default_workers, find_matches
from liaison.matching.engine import Frequencies, Model, default_model, probability_from_weight
from liaison.matching.features import Prepared, prepare
from liaison.matching.models import DuplicatePair, DuplicatePairStatus, PairStatus, TermFrequency
from liaison.matching.permissions import lead_team_for
from liaison.matching.records import active_people, iter_records
from liaison.matching.services.keys import term_frequencies_save, tidy


@dataclass
class DuplicateRun:
    people: int = 0
    compared: int = 0
    found: int = 0
    created: int = 0
    updated: int = 0
    kept_decided: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    threshold: float = 0.0
    model_version: str = ""


def duplicates_find(
    *,
    actor: User | None = None,
    threshold: float | None = None,
    dry_run: bool = False,
    model: Model | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> DuplicateRun:
    """Block and score every person against every other; record each pair at or over the threshold.

    A pair already decided (confirmed, rejected, merged) keeps its decision; an open pair gets the new
    score. Nothing is removed: an open pair that no longer reaches the threshold stays for review.
    """
    model = model or default_model()
    run = DuplicateRun(
        threshold=model.threshold if threshold is None else threshold, model_version=model.version
    )
    clock = time.perf_counter()
    ids: list[int] = []
    prepared: list[Prepared] = []
    for pk, record in iter_records(active_people()):
        ids.append(pk)
        prepared.append(prepare(record))
        if progress is not None and len(ids) % 10000 == 0:
            progress("loading people", len(ids), 0)
    run.people = len(ids)
    # Names and postcodes weighed by how many people here share them (kept for intake too).
    frequencies = Frequencies.count(prepared)
    model = model.with_frequencies(frequencies)
    run.seconds["load"] = time.perf_counter() - clock
    clock = time.perf_counter()
    index = build_index(prepared)
    run.seconds["block"] = time.perf_counter() - clock
    clock = time.perf_counter()
    min_weight = model.threshold_weight(run.people, run.threshold)
    result = find_matches(
        prepared,
        model,
        min_weight=min_weight,
        index=index,
        progress=(lambda done, total: progress("comparing", done, total)) if progress is not None else None,
        workers=default_workers(),
    )
    run.compared = result.compared
    run.found = len(result.pairs)
    run.seconds["score"] = time.perf_counter() - clock
    clock = time.perf_counter()
    if not dry_run:
        _save_pairs(run, ids, prepared, result.pairs, model)
        term_frequencies_save(frequencies)
        tidy(TermFrequency)
        audit(
            actor=actor,
            action="duplicates.find",
            object_type="duplicate_run",
            detail={
                "people": run.people,
                "compared": run.compared,
                "found": run.found,
                "created": run.created,
                "threshold": run.threshold,
                "model": model.version,
            },
        )
    run.seconds["save"] = time.perf_counter() - clock
    return run


@transaction.atomic
def _save_pairs(
    run: DuplicateRun, ids: list[int], prepared: list[Prepared], pairs: list, model: Model
) -> None:
    existing = {(a, b): (pk, status) for pk, a, b, status in DuplicatePair.objects.values_list(
        "pk", "person_a_id", "person_b_id", "status"
    )}  # fmt: skip
    now = timezone.now()
    new: list[DuplicatePair] = []
    changed: list[DuplicatePair] = []
    for pair in pairs:
        score = model.score(prepared[pair.i], prepared[pair.j], population=run.people)
        a, b = sorted((ids[pair.i], ids[pair.j]))
        values = {
            "probability": probability_from_weight(score.match_weight + model.prior_weight(run.people)),
            "match_weight": score.match_weight,
            "evidence": [e.as_list() for e in score.evidence],
            "model_version": model.version,
            "scored_at": now,
        }
        known = existing.get((a, b))
        if known is None:
            new.append(DuplicatePair(person_a_id=a, person_b_id=b, found_at=now, **values))
        elif known[1] == PairStatus.OPEN:
            changed.append(DuplicatePair(pk=known[0], **values))
        else:
            run.kept_decided += 1
    DuplicatePair.objects.bulk_create(new, batch_size=1000)
    DuplicatePair.objects.bulk_update(
        changed, ["probability", "match_weight", "evidence", "model_version", "scored_at"], batch_size=1000
    )
    run.created, run.updated = len(new), len(changed)


REVIEW_STATUSES = (PairStatus.CONFIRMED, PairStatus.REJECTED)


@transaction.atomic
def duplicate_pair_review(*, actor: User, pair: DuplicatePair, status: str, note: str = "") -> DuplicatePair:
    """A team lead who works with both people confirms the pair as one person, or rejects it."""
    if status not in REVIEW_STATUSES:
        raise ValueError(f"a review confirms or rejects a pair, not {status!r}")
    team = lead_team_for(actor, [pair.person_a_id, pair.person_b_id])
    if team is None:
        raise NotPermitted("Only a team lead whose team works with both people can review this pair.")
    locked = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    if locked.status == PairStatus.MERGED:
        raise NotPermitted("These records are already merged: undo the merge instead.")
    locked.status = status
    locked.save(update_fields=["status"])
    DuplicatePairStatus.objects.create(pair=locked, status=status, by=actor, note=note[:500])
    audit(
        actor=actor,
        action="duplicate_pair.review",
        team_id=team,
        role=Role.TEAM_LEAD,
        object_type="duplicate_pair",
        object_id=locked.pk,
        person_ids=[locked.person_a_id, locked.person_b_id],
        detail={"status": status},
    )
    return locked
