"""Reads of the directory. Services are shared reference data (any clinical member of any team reads
them); local knowledge and named contacts are read only for the user's own team.

Every list is paginated by the caller; each query here costs a bounded number of statements.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from liaison.core.access import deny
from liaison.core.models import User
from liaison.directory.models import Attribute, LocalKnowledge, NamedContact, Service
from liaison.directory.taxonomy import need_term_id
from liaison.referrals.outcomes import Outcomes, service_outcomes_by_need

SEARCH_MAX = 100
DETAIL_PREFETCH = (
    "attributes__taxonomy_term__taxonomy",
    "schedules",
    "service_areas",
    "service_at_locations__location",
    "contacts__phones",
    "phones",
    "cost_options",
    "languages",
)


def search_services(*, search: str = "", need: str = "", status: str = "") -> QuerySet[Service]:
    """Services matching the words (name, description or organisation), need and status, by name."""
    services = Service.objects.select_related("organization")
    words = search.strip()[:SEARCH_MAX].split()
    for word in words[:5]:
        services = services.filter(
            Q(name__icontains=word) | Q(organization__name__icontains=word) | Q(description__icontains=word)
        )
    if need:
        services = services.filter(
            Exists(Attribute.objects.filter(service=OuterRef("pk"), taxonomy_term_id=need_term_id(need)))
        )
    if status:
        services = services.filter(status=status)
    return services.order_by("name", "id")


def get_service(pk: str) -> Service:
    """One service with everything its page shows, or 404."""
    service = (
        Service.objects.select_related("organization", "maintained_by")
        .prefetch_related(*DETAIL_PREFETCH)
        .filter(pk=pk)
        .first()
    )
    if service is None:
        raise Http404("No such service")
    return service


def get_service_for_edit(pk: str) -> Service:
    service = (
        Service.objects.select_related("organization")
        .prefetch_related("schedules", "service_areas")
        .filter(pk=pk)
        .first()
    )
    if service is None:
        raise Http404("No such service")
    return service


@dataclass
class TeamLayer:
    knowledge: LocalKnowledge | None
    contacts: list[NamedContact]
    outcomes: dict[str, Outcomes]


def team_layer(team_id: int, service: Service) -> TeamLayer:
    """The team's own notes, named contacts and engagement outcomes with the service."""
    return TeamLayer(
        knowledge=LocalKnowledge.objects.select_related("updated_by")
        .filter(team_id=team_id, service=service)
        .first(),
        contacts=list(NamedContact.objects.filter(team_id=team_id, service=service).order_by("name", "id")),
        outcomes=service_outcomes_by_need(team_id, service.pk),
    )


def knowledge_for_teams(service: Service, team_ids: list[int]) -> list[LocalKnowledge]:
    """The notes of these teams (the caller's own) on the service."""
    return list(LocalKnowledge.objects.filter(service=service, team_id__in=team_ids).order_by("team_id"))


def get_named_contact_for_team(user: User, team_id: int, service: Service, pk: int | str) -> NamedContact:
    """A named contact of the user's team on this service; 404 (audited) for missing and not-yours alike."""
    contact = (
        NamedContact.objects.filter(pk=pk, service=service, team_id=team_id).first()
        if str(pk).isdigit()
        else None
    )
    if contact is None:
        raise deny(user, object_type="named_contact", object_id=pk)
    return contact
