"""The team lead's duplicate review: the queue of likely duplicate pairs, one pair side by side (reject,
or merge after a confirmation), undoing a merge, and the notice a merged-away record's page shows.

Who may: a team lead ("people.merge") whose team works with every person involved, as the merge
services themselves check (`permissions.lead_team_for`; break-the-glass never counts). Anyone else gets
a 404, audited, as for a record that does not exist; except someone who may already see both records
through their team, who is told the review is a team lead's (403).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from liaison.core.access import deny, person_access
from liaison.core.audit import audit
from liaison.core.errors import NotPermitted
from liaison.core.forms import apply_service_errors
from liaison.core.models import Role, User
from liaison.core.presenters import long_date
from liaison.core.views import AuthenticatedRequest, not_permitted, render_page
from liaison.matching.forms import MergeForm, RejectForm, UnmergeForm
from liaison.matching.models import DuplicatePair, MergeRecord, PairStatus
from liaison.matching.permissions import lead_team_for, lead_teams
from liaison.matching.presenters import likelihood, pair_evidence, person_details
from liaison.matching.queries import (
    duplicate_queue,
    merge_preview,
    pair_statuses,
    pair_with_records,
)
from liaison.matching.services import MergeRefused, duplicate_pair_review, person_merge, person_unmerge
from liaison.people.models import Person

NOT_A_LEAD = "Only a team lead whose team works with both people can review possible duplicate records."
NOT_A_LEAD_UNMERGE = "Only a team lead whose team works with the person can undo a merge of their records."
# A pair can still be decided while neither record has been merged away.
DECIDABLE = (PairStatus.OPEN, PairStatus.CONFIRMED)


def _refusal(user: User, person_ids: Sequence[int], *, object_type: str, object_id: int) -> Exception:
    """Not a lead of a team that works with them all: 403 when the user's team works with every one
    of them anyway (nothing is revealed), else the audited 404 of a record that does not exist."""
    if person_ids and all(person_access(user, pid).via == "relationship" for pid in person_ids):
        return NotPermitted(NOT_A_LEAD)
    return deny(user, object_type=object_type, object_id=object_id)


def _reviewable_pair(user: User, pk: int) -> tuple[DuplicatePair, int]:
    pair = pair_with_records(pk)
    ids = [pair.person_a_id, pair.person_b_id] if pair is not None else []
    team = lead_team_for(user, ids) if pair is not None else None
    if pair is None or team is None:
        raise _refusal(user, ids, object_type="duplicate_pair", object_id=pk)
    return pair, team


def _audit_pair_view(user: User, pair: DuplicatePair, team: int, action: str) -> None:
    audit(
        actor=user,
        action=action,
        team_id=team,
        role=Role.TEAM_LEAD,
        object_type="duplicate_pair",
        object_id=pair.pk,
        person_ids=[pair.person_a_id, pair.person_b_id],
    )


def _standing_merges(person_ids: Sequence[int]) -> dict[int, MergeRecord]:
    records = MergeRecord.objects.filter(duplicate_id__in=person_ids, unmerged_at__isnull=True)
    return {m.duplicate_id: m for m in records}


@require_GET
def duplicate_queue_page(request: AuthenticatedRequest) -> HttpResponse:
    """Open likely duplicates among the people the lead's teams work with, most likely first."""
    teams = lead_teams(request.user)
    if not teams:
        return not_permitted(request, NOT_A_LEAD)
    page = Paginator(duplicate_queue(user=request.user), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    pairs = list(page)
    if pairs:
        audit(
            actor=request.user,
            action="duplicate_pair.list",
            team_id=teams[0],
            role=Role.TEAM_LEAD,
            object_type="duplicate_pair",
            person_ids=[pid for p in pairs for pid in (p.person_a_id, p.person_b_id)],
            detail={"pairs": [p.pk for p in pairs], "page": page.number},
        )
    rows = [{"pair": p, "likelihood": likelihood(p.probability)} for p in pairs]
    return render_page(request, "matching/queue.html", {"page": page, "rows": rows})


@require_http_methods(["GET", "POST"])
def duplicate_pair_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Both records side by side with the evidence and their episodes; "Not the same person" here."""
    try:
        pair, team = _reviewable_pair(request.user, pk)
    except NotPermitted as exc:
        return not_permitted(request, str(exc))
    merged = _standing_merges([pair.person_a_id, pair.person_b_id])
    decidable = pair.status in DECIDABLE and not merged
    form = RejectForm(request.POST or None) if decidable else None
    if request.method == "POST":
        if form is None:
            return not_permitted(request, "This pair has already been decided.")
        if form.is_valid():
            try:
                duplicate_pair_review(
                    actor=request.user, pair=pair, status=PairStatus.REJECTED, note=form.cleaned_data["note"]
                )
            except NotPermitted as exc:
                return not_permitted(request, str(exc))
            messages.success(
                request, f"Liaison IDs {pair.person_a_id} and {pair.person_b_id} are kept apart."
            )
            return redirect("duplicate_queue")
    _audit_pair_view(request.user, pair, team, "duplicate_pair.view")
    a, b = pair.person_a, pair.person_b
    context = {
        "pair": pair,
        "evidence": pair_evidence(
            first=a,
            second=b,
            probability=pair.probability,
            match_weight=pair.match_weight,
            evidence=pair.evidence,
        ),
        "records": [
            {"person": p, "details": person_details(p), "episodes": list(p.episodes.all())} for p in (a, b)
        ],
        "statuses": pair_statuses(pair),
        "merged": merged,
        "form": form,
    }
    return render_page(request, "matching/pair.html", context, forms=(form,))


def _older_first(a: Person, b: Person) -> tuple[Person, Person]:
    """The record to keep by default: the older one (recorded first; the lower id on a tie)."""
    return (a, b) if (a.created_at, a.pk) <= (b.created_at, b.pk) else (b, a)


@require_http_methods(["GET", "POST"])
def duplicate_pair_merge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Confirm the merge: which record survives, why, and what will move; then merge."""
    try:
        pair, team = _reviewable_pair(request.user, pk)
    except NotPermitted as exc:
        return not_permitted(request, str(exc))
    if pair.status not in DECIDABLE or _standing_merges([pair.person_a_id, pair.person_b_id]):
        return not_permitted(request, "This pair has already been decided.")
    older, newer = _older_first(pair.person_a, pair.person_b)
    people = {older.pk: older, newer.pk: newer}
    choices = [
        (p.pk, f"Keep Liaison ID {p.pk}, {p.given_name} {p.family_name} (recorded {long_date(p.created_at)})")
        for p in (older, newer)
    ]
    form = MergeForm(request.POST or None, choices=choices, initial={"survivor": older.pk})
    if request.method == "POST" and form.is_valid():
        survivor = people[form.cleaned_data["survivor"]]
        duplicate = newer if survivor is older else older
        try:
            record = person_merge(
                actor=request.user, survivor=survivor, duplicate=duplicate, reason=form.cleaned_data["reason"]
            )
        except NotPermitted as exc:
            return not_permitted(request, str(exc))
        except MergeRefused as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            moved = len(record.moved)
            messages.success(
                request,
                f"Liaison ID {duplicate.pk} was merged into this record: "
                f"{moved} row{'s' * (moved != 1)} moved.",
            )
            return redirect("person_detail", survivor.pk)
    _audit_pair_view(request.user, pair, team, "duplicate_pair.merge_view")
    # What moves if each record is kept: the other record's rows.
    previews = [
        {"keep": p, "from": other, "rows": merge_preview(other)}
        for p, other in ((older, newer), (newer, older))
    ]
    return render_page(
        request, "matching/merge.html", {"pair": pair, "form": form, "previews": previews}, forms=(form,)
    )


@require_http_methods(["GET", "POST"])
def person_unmerge_page(request: AuthenticatedRequest, pk: int, merge_pk: int) -> HttpResponse:
    """Undo a merge into this record, with a reason; afterwards, what was restored and what could not be."""
    record = (
        MergeRecord.objects.filter(pk=merge_pk, survivor_id=pk)
        .select_related("survivor", "duplicate", "merged_by", "unmerged_by")
        .first()
    )
    team = lead_team_for(request.user, [pk]) if record is not None else None
    if record is None or team is None:
        refusal = _refusal(request.user, [pk] if record else [], object_type="merge", object_id=merge_pk)
        if isinstance(refusal, NotPermitted):
            return not_permitted(request, NOT_A_LEAD_UNMERGE)
        raise refusal
    form = UnmergeForm(request.POST or None) if record.unmerged_at is None else None
    if request.method == "POST":
        if form is None:
            return not_permitted(request, "This merge has already been undone.")
        if form.is_valid():
            try:
                person_unmerge(actor=request.user, merge=record, reason=form.cleaned_data["reason"])
            except NotPermitted as exc:
                return not_permitted(request, str(exc))
            except MergeRefused as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, f"The merge is undone: Liaison ID {record.duplicate_id} is a record again."
                )
                return redirect("person_unmerge", pk, merge_pk)
    audit(
        actor=request.user,
        action="merge.view",
        person_id=pk,
        team_id=team,
        role=Role.TEAM_LEAD,
        object_type="merge",
        object_id=record.pk,
    )
    report = record.unmerge_report or {}
    return render_page(
        request,
        "matching/unmerge.html",
        {
            "record": record,
            "form": form,
            "not_restored": report.get("not_restored", []),
            "followed": report.get("followed_episode", []),
        },
        forms=(form,),
    )


@require_GET
def person_merged_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A merged-away record's address: where it went, and nothing else. For anyone who may see the
    surviving record; a 404, audited, for anyone else and for a record not merged away."""
    record = MergeRecord.objects.filter(duplicate_id=pk, unmerged_at__isnull=True).first()
    access = person_access(request.user, record.survivor_id) if record is not None else None
    if record is None or access is None or not access.allowed:
        raise deny(request.user, object_type="person", object_id=pk, person_id=pk)
    audit(
        actor=request.user,
        action="person.view_merged",
        person_id=pk,
        team_id=access.team_id,
        role=access.role,
        object_type="merge",
        object_id=record.pk,
        detail={"via": access.via, "survivor": record.survivor_id},
    )
    return render_page(request, "matching/person_merged.html", {"record": record, "person_id": pk})
