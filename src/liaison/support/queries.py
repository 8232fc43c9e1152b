"""Reads for crisis plans and crisis events, each fetched through the access policy and audited."""

from __future__ import annotations

from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When

from liaison.core.access import Access, _get_child_for_user
from liaison.core.models import User
from liaison.directory.models import Attribute, Service, ServiceStatus
from liaison.directory.taxonomy import need_term_id
from liaison.episodes.models import Episode
from liaison.support.models import CrisisEvent, CrisisPlan, CrisisPlanStatus

# Services that meet these needs are listed first when choosing professionals and crisis lines.
CRISIS_NEEDS = ("risk_to_self", "mental_health")
SERVICE_CHOICES_MAX = 40


def get_crisis_plan_for_user(
    user: User, pk: object, *, action: str = "crisis_plan.view"
) -> tuple[CrisisPlan, Access]:
    queryset: QuerySet[CrisisPlan] = CrisisPlan.objects.select_related(
        "episode", "episode__person", "episode__team", "episode__site", "by", "completed_by"
    )
    return _get_child_for_user(user, queryset, pk, "crisis_plan", action)


def crisis_plan_versions(episode: Episode) -> list[CrisisPlan]:
    """Every version, newest first."""
    return list(
        CrisisPlan.objects.filter(episode=episode).select_related("by", "completed_by").order_by("-number")
    )


def draft_crisis_plan(episode: Episode) -> CrisisPlan | None:
    return CrisisPlan.objects.filter(episode=episode, status=CrisisPlanStatus.DRAFT).first()


def crisis_events(episode: Episode) -> QuerySet[CrisisEvent]:
    return CrisisEvent.objects.filter(episode=episode).select_related("by").order_by("-happened_at", "-id")


def crisis_events_for_review(plan: CrisisPlan) -> list[CrisisEvent]:
    """The crises since the version this review starts from was completed (all of them for a first plan)."""
    previous = (
        CrisisPlan.objects.filter(
            episode_id=plan.episode_id, status=CrisisPlanStatus.COMPLETE, number__lt=plan.number
        )
        .order_by("-number")
        .values_list("completed_at", flat=True)
        .first()
    )
    events = crisis_events(plan.episode)
    if previous is not None:
        events = events.filter(recorded_at__gte=previous)
    return list(events[:20])


def crisis_service_choices(chosen_ids: list[str] | None = None) -> list[Service]:
    """Active services to choose from: those meeting risk to self or mental health first, then the rest
    by name, with any already chosen always included. Phones and schedules come with them."""
    crisis_terms = [need_term_id(key) for key in CRISIS_NEEDS]
    tagged = Attribute.objects.filter(service=OuterRef("pk"), taxonomy_term_id__in=crisis_terms)
    chosen_ids = chosen_ids or []
    queryset = (
        Service.objects.filter(status=ServiceStatus.ACTIVE)
        .annotate(
            crisis=Exists(tagged),
            chosen=Case(
                When(pk__in=chosen_ids, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .select_related("organization")
        .prefetch_related("phones", "schedules")
        .order_by("chosen", "-crisis", "name", "pk")
    )
    return list(queryset[:SERVICE_CHOICES_MAX])
