"""Merge a duplicate record into the surviving one, and undo it exactly.

Merge moves every row that refers to the duplicate (episodes, other names, contacts, partner
referrals, break-the-glass grants, and whatever refers to a person in future: the relations are
found from the app registry, not listed by hand) to the survivor, in one transaction, and records
each moved row (model, pk, field, old value). The duplicate is kept, marked as merged into the
survivor by its MergeRecord, and stops being offered as a match. Unmerge moves those same rows back
(those still pointing at the survivor), so edits made after the merge (a stage moved, a note
written) stay as they are, and rows added to the survivor after the merge stay with the survivor,
except those made on one of the duplicate's episodes: they follow their episode back (below).

Decisions (docs/adr/0007-person-matching.md):
- Open episodes with different teams are allowed: both stay open, with their own teams. Closing
  another team's live episode would be wrong, and refusing would leave a known duplicate in place
  while both teams work with the person, which is when the link matters most.
- One-to-one rows (one per person by design) and break-the-glass grants (made for one record)
  stay with the duplicate and are listed as kept.
- Unmerge is last-in, first-out: a survivor that has since been merged into a third record must be
  unmerged from it first, so every moved row is found where the merge left it.
- The audit log is never rewritten: events about the duplicate stay under the duplicate's id.
- A row that names both a person and an episode (a consent, a lawful basis or a disclosure recorded
  on an episode, a partner referral) made after the merge, on an episode the unmerge gives back to the
  duplicate, goes back with its episode: it was about whoever that episode is about, and a row whose
  person is not its episode's person would put a consent, or a disclosure, on the wrong record. Each
  is listed in the unmerge report (`followed_episode`). Rows on no episode stay with the survivor.
- Records that hang only from an episode (reports and their versions, links and feedback, referrals,
  appointments...) need no rule: they go wherever their episode goes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from liaison.core.audit import audit
from liaison.core.errors import NotPermitted
from liaison.core.models import Role, User
from liaison.episodes.models import Episode, Stage
from liaison.matching.features import fold
from liaison.matching.models import DuplicatePair, DuplicatePairStatus, MergeRecord, PairStatus
from liaison.matching.permissions import lead_team_for
from liaison.matching.services.keys import match_keys_refresh
from liaison.people.models import Alias, Person

# Rows about the records rather than of the person: matching's own bookkeeping stays where it is.
BOOKKEEPING = frozenset({"matching.matchkey", "matching.duplicatepair", "matching.mergerecord"})
# Rows that stay with the record they were made for, with the reason recorded in the merge.
STAYS = {
    # A break-the-glass grant opened one record for one urgent reason; moving it would open the
    # survivor's whole record (other teams' episodes included) on a reason given for another.
    "core.breakglass": "an access grant stays on the record it was given for",
}
NOT_A_LEAD = "Only a team lead whose team works with both people can merge their records."


class MergeRefused(Exception):
    """The merge or unmerge cannot be done as asked; the message says why and what to do instead."""


@dataclass(frozen=True)
class Relation:
    model: type[models.Model]
    field: models.Field

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def stays_because(self) -> str | None:
        """Why rows of this relation stay with the duplicate, or None when they move."""
        if self.label in STAYS:
            return STAYS[self.label]
        if self.field.one_to_one or self.field.unique:
            return "one per person: the survivor may have its own"
        return None


def person_relations() -> list[Relation]:
    """Every field in every installed model that refers to a person, except matching's bookkeeping."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in BOOKKEEPING:
            continue
        for f in meta.local_fields:
            if f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model is Person:
                found.append(Relation(model, f))
    return sorted(found, key=lambda r: (r.label, r.field.name))


def _pk(value: Any) -> Any:
    return value if isinstance(value, int) else str(value)


def _move_rows(relation: Relation, *, from_id: int, to_id: int) -> list[Any]:
    """Point every row of `relation` at `to_id` instead of `from_id`; return their primary keys."""
    manager = relation.model._base_manager
    column = relation.field.attname
    pks = list(manager.filter(**{column: from_id}).order_by("pk").values_list("pk", flat=True))
    if pks:
        manager.filter(pk__in=pks).update(**{column: to_id})
    return pks


def _lock(*person_ids: int) -> None:
    # In id order, so two merges touching the same records wait for each other instead of deadlocking.
    list(Person.objects.select_for_update().filter(pk__in=person_ids).order_by("pk").values_list("pk"))


def _clean_reason(reason: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise ValidationError({"reason": "Say why you are sure these records are the same person"})
    if len(text) > 500:
        raise ValidationError({"reason": "The reason must be 500 characters or fewer"})
    return text


def _open_episode_teams(person_id: int) -> list[int]:
    return sorted(
        set(
            Episode.objects.filter(person_id=person_id)
            .exclude(stage=Stage.CLOSED)
            .values_list("team_id", flat=True)
        )
    )


def _name_as_alias(survivor: Person, duplicate: Person) -> Alias | None:
    """The duplicate's name becomes another name of the survivor, so arrivals under it find them."""
    known = {(fold(survivor.given_name), fold(survivor.family_name))}
    known |= {
        (fold(g), fold(f))
        for g, f in Alias.objects.filter(person=survivor).values_list("given_name", "family_name")
    }
    if (fold(duplicate.given_name), fold(duplicate.family_name)) in known:
        return None
    return Alias.objects.create(
        person=survivor,
        given_name=duplicate.given_name,
        family_name=duplicate.family_name,
        family_name_search=duplicate.family_name.lower(),
    )


def _set_pair_status(
    survivor_id: int, duplicate_id: int, status: str, actor: User, note: str
) -> DuplicatePair | None:
    a, b = sorted((survivor_id, duplicate_id))
    pair = DuplicatePair.objects.select_for_update().filter(person_a_id=a, person_b_id=b).first()
    if pair is not None and pair.status != status:
        pair.status = status
        pair.save(update_fields=["status"])
        DuplicatePairStatus.objects.create(pair=pair, status=status, by=actor, note=note[:500])
    return pair


def _counts(entries: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for entry in entries:
        counts[entry["model"]] += 1
    return dict(sorted(counts.items()))


@transaction.atomic
def person_merge(*, actor: User, survivor: Person, duplicate: Person, reason: str) -> MergeRecord:
    """Move everything about `duplicate` to `survivor`, keep `duplicate` as merged, audit both."""
    text = _clean_reason(reason)
    if survivor.pk == duplicate.pk:
        raise MergeRefused("A record cannot be merged into itself.")
    team = lead_team_for(actor, [survivor.pk, duplicate.pk])
    if team is None:
        raise NotPermitted(NOT_A_LEAD)
    _lock(survivor.pk, duplicate.pk)
    active = {
        m.duplicate_id: m.survivor_id
        for m in MergeRecord.objects.filter(
            duplicate_id__in=[survivor.pk, duplicate.pk], unmerged_at__isnull=True
        )
    }
    if duplicate.pk in active:
        raise MergeRefused(f"This record is already merged into record {active[duplicate.pk]}.")
    if survivor.pk in active:
        raise MergeRefused(
            f"The record to keep is itself merged into record {active[survivor.pk]}: "
            "merge into that record instead."
        )
    open_teams = {
        "survivor": _open_episode_teams(survivor.pk),
        "duplicate": _open_episode_teams(duplicate.pk),
    }
    moved: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    for relation in person_relations():
        why = relation.stays_because
        if why is not None:
            manager = relation.model._base_manager
            for pk in manager.filter(**{relation.field.attname: duplicate.pk}).values_list("pk", flat=True):
                kept.append(
                    {"model": relation.label, "pk": _pk(pk), "field": relation.field.name, "why": why}
                )
            continue
        for pk in _move_rows(relation, from_id=duplicate.pk, to_id=survivor.pk):
            moved.append(
                {"model": relation.label, "pk": _pk(pk), "field": relation.field.name, "old": duplicate.pk}
            )
    created = []
    alias = _name_as_alias(survivor, duplicate)
    if alias is not None:
        created.append({"model": "people.alias", "pk": alias.pk})
    pair = _set_pair_status(survivor.pk, duplicate.pk, PairStatus.MERGED, actor, text)
    record = MergeRecord.objects.create(
        survivor=survivor,
        duplicate=duplicate,
        pair=pair,
        reason=text,
        merged_by=actor,
        moved=moved,
        kept=kept,
        created=created,
    )
    match_keys_refresh(person_ids=[survivor.pk, duplicate.pk])
    detail = {
        "merge": record.pk,
        "survivor": survivor.pk,
        "duplicate": duplicate.pk,
        "moved": _counts(moved),
        "kept": _counts(kept),
        # Both kept open, each with its own team (see the module docstring).
        "open_episode_teams": open_teams,
    }
    _audit_both(actor, record, team, text, detail, ("person.merge", "person.merged"))
    return record


@transaction.atomic
def person_unmerge(*, actor: User, merge: MergeRecord, reason: str) -> MergeRecord:
    """Put back every row the merge moved that still points at the survivor; report any that do not."""
    text = _clean_reason(reason)
    record = MergeRecord.objects.select_for_update().get(pk=merge.pk)
    if record.unmerged_at is not None:
        raise MergeRefused("This merge has already been undone.")
    team = lead_team_for(actor, [record.survivor_id])
    if team is None:
        raise NotPermitted(
            "Only a team lead whose team works with the person can undo a merge of their records."
        )
    later = MergeRecord.objects.filter(duplicate_id=record.survivor_id, unmerged_at__isnull=True).first()
    if later is not None:
        raise MergeRefused(
            f"The surviving record has since been merged into record {later.survivor_id}: "
            "undo that merge first."
        )
    _lock(record.survivor_id, record.duplicate_id)
    not_restored: list[dict[str, Any]] = []
    restored = 0
    groups: dict[tuple[str, str, Any], list[Any]] = defaultdict(list)
    for entry in record.moved:
        groups[(entry["model"], entry["field"], entry["old"])].append(entry["pk"])
    for (label, field_name, old), pks in sorted(groups.items(), key=lambda g: (g[0][0], g[0][1])):
        try:
            model = apps.get_model(label)
        except LookupError:
            not_restored.extend({"model": label, "pk": pk, "why": "the model no longer exists"} for pk in pks)
            continue
        column = model._meta.get_field(field_name).attname
        manager = model._base_manager
        here = set(manager.filter(pk__in=pks, **{column: record.survivor_id}).values_list("pk", flat=True))
        if here:
            restored += manager.filter(pk__in=here).update(**{column: old})
        elsewhere = dict(manager.filter(pk__in=pks).exclude(pk__in=here).values_list("pk", column))
        for pk in pks:
            if pk in here:
                continue
            why = (
                "deleted since the merge" if pk not in elsewhere else f"now belongs to record {elsewhere[pk]}"
            )
            not_restored.append({"model": label, "pk": pk, "why": why})
    followed = _follow_episodes(survivor_id=record.survivor_id, duplicate_id=record.duplicate_id)
    removed = []
    for entry in record.created:
        model = apps.get_model(entry["model"])
        if model._base_manager.filter(pk=entry["pk"]).delete()[0]:
            removed.append(entry)
    record.unmerged_at = timezone.now()
    record.unmerged_by = actor
    record.unmerge_reason = text
    record.unmerge_report = {
        "restored": restored,
        "not_restored": not_restored,
        "removed": removed,
        "followed_episode": followed,
    }
    record.save(update_fields=["unmerged_at", "unmerged_by", "unmerge_reason", "unmerge_report"])
    _set_pair_status(
        record.survivor_id, record.duplicate_id, PairStatus.REJECTED, actor, f"Merge undone: {text}"
    )
    match_keys_refresh(person_ids=[record.survivor_id, record.duplicate_id])
    detail = {
        "merge": record.pk,
        "survivor": record.survivor_id,
        "duplicate": record.duplicate_id,
        "restored": restored,
        "not_restored": len(not_restored),
        "followed_episode": _counts(followed),
    }
    _audit_both(actor, record, team, text, detail, ("person.unmerge", "person.unmerged"))
    return record


def _episode_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.local_fields
        if f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model is Episode
    ]


def _follow_episodes(*, survivor_id: int, duplicate_id: int) -> list[dict[str, Any]]:
    """After the moved rows are back: rows still on the survivor that sit on an episode now the
    duplicate's (made after the merge) go to the duplicate with it. Returns what was moved."""
    followed: list[dict[str, Any]] = []
    for relation in person_relations():
        if relation.stays_because is not None:
            continue
        for episode_field in _episode_fields(relation.model):
            manager = relation.model._base_manager
            column = relation.field.attname
            rows = manager.filter(
                **{column: survivor_id, f"{episode_field.name}__person_id": duplicate_id}
            ).order_by("pk")
            found = list(rows.values_list("pk", episode_field.attname))
            if not found:
                continue
            manager.filter(pk__in=[pk for pk, _ in found]).update(**{column: duplicate_id})
            followed.extend(
                {"model": relation.label, "pk": _pk(pk), "field": relation.field.name, "episode": episode}
                for pk, episode in found
            )
    return followed


def _audit_both(
    actor: User, record: MergeRecord, team: int, reason: str, detail: dict[str, Any], actions: tuple[str, str]
) -> None:
    """One event on each record's trail: the survivor's (the first action) and the duplicate's."""
    for person_id, action in zip((record.survivor_id, record.duplicate_id), actions, strict=True):
        audit(
            actor=actor,
            action=action,
            person_id=person_id,
            team_id=team,
            role=Role.TEAM_LEAD,
            object_type="merge",
            object_id=record.pk,
            reason=reason,
            detail=detail,
        )
