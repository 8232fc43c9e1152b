"""The Open Referral UK 3.0 read API at /openreferral/: public by decision, published services only.

A service appears only when a team lead has marked it public and it is not defunct; anything else
answers 404 at /services/{id}. Nothing of the teams' own local knowledge is ever part of an answer.
Lists use the standard's Page envelope (total_items, total_pages, page_number, size, first_page,
last_page, empty, contents) with `page` (from 1) and `per_page` (at most 100). Each page costs a
fixed number of queries whatever its size: a count, the page, and one prefetch per child table.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from liaison.directory import oruk
from liaison.directory.models import (
    Attribute,
    EligibleSex,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
# The local eligibility terms are fields on the service, not attribute rows: filter on the fields.
_TERM_FIELDS: dict[str, Q] = {
    oruk.WOMEN_ONLY: Q(eligible_sex=EligibleSex.FEMALE),
    oruk.MEN_ONLY: Q(eligible_sex=EligibleSex.MALE),
    oruk.OPEN_BANK_HOLIDAYS: Q(open_bank_holidays=True),
}


class BadParameter(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def published_services() -> QuerySet[Service]:
    return Service.objects.filter(published=True).exclude(status=ServiceStatus.DEFUNCT)


def _json(data: Any, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    # Published open data: anyone may read it, from any site.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _problem(status: int, detail: str, parameter: str = "") -> JsonResponse:
    body: dict[str, Any] = {"status": status, "detail": detail}
    if parameter:
        body["parameter"] = parameter
    return _json(body, status=status)


def _int(
    request: HttpRequest, name: str, default: int | None, *, low: int, high: int | None = None
) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise BadParameter(name, f"{name} must be a whole number")
    value = int(raw)
    if value < low or (high is not None and value > high):
        raise BadParameter(name, f"{name} must be from {low}" + (f" to {high}" if high is not None else ""))
    return value


def _page(request: HttpRequest, queryset: QuerySet[Any], render: Any) -> JsonResponse:
    page = _int(request, "page", 1, low=1, high=10**6) or 1
    per_page = _int(request, "per_page", DEFAULT_PER_PAGE, low=1, high=MAX_PER_PAGE) or DEFAULT_PER_PAGE
    total = queryset.count()
    total_pages = max(1, -(-total // per_page))
    start = (page - 1) * per_page
    rows = list(queryset[start : start + per_page]) if start < total else []
    return _json(
        {
            "total_items": total,
            "total_pages": total_pages,
            "page_number": page,
            "size": len(rows),
            "first_page": page == 1,
            "last_page": page >= total_pages,
            "empty": not rows,
            "contents": [render(row) for row in rows],
        }
    )


def _public(view: Any) -> Any:
    """Open to anyone (no sign-in), GET only, bad parameters answered 400 naming the parameter."""

    @login_not_required
    @require_GET
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        try:
            result: JsonResponse = view(request, *args, **kwargs)
        except BadParameter as exc:
            return _problem(400, exc.message, exc.name)
        return result

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_public
def api_details(request: HttpRequest) -> JsonResponse:
    return _json(
        {
            "version": oruk.HSDS_VERSION,
            "profile": oruk.PROFILE_URL,
            "openapi_url": oruk.OPENAPI_URL,
            "services": request.build_absolute_uri(reverse("openreferral:oruk_services")),
        }
    )


def _full_services() -> QuerySet[Service]:
    return published_services().select_related("organization").prefetch_related(*oruk.EXPORT_PREFETCH)


@_public
def services(request: HttpRequest) -> JsonResponse:
    queryset = _full_services()
    search = request.GET.get("search", "").strip()[:100]
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search)
            | Q(description__icontains=search)
            | Q(organization__name__icontains=search)
        )
    term_id = request.GET.get("taxonomy_term_id", "").strip()[:64]
    if term_id:
        queryset = queryset.filter(
            _TERM_FIELDS.get(term_id)
            or Q(Exists(Attribute.objects.filter(service=OuterRef("pk"), taxonomy_term_id=term_id)))
        )
    taxonomy_id = request.GET.get("taxonomy_id", "").strip()[:64]
    if taxonomy_id:
        queryset = queryset.filter(
            Exists(Attribute.objects.filter(service=OuterRef("pk"), taxonomy_term__taxonomy_id=taxonomy_id))
        )
    # Ages are the person's: a service is kept when its own age range covers some of the asked range.
    minimum = _int(request, "minimum_age", None, low=0, high=150)
    maximum = _int(request, "maximum_age", None, low=0, high=150)
    if minimum is not None:
        queryset = queryset.filter(Q(maximum_age__isnull=True) | Q(maximum_age__gte=minimum))
    if maximum is not None:
        queryset = queryset.filter(Q(minimum_age__isnull=True) | Q(minimum_age__lte=maximum))
    return _page(request, queryset.order_by("name", "id"), oruk.service_to_oruk)


@_public
def service_detail(request: HttpRequest, pk: str) -> JsonResponse:
    service = _full_services().filter(pk=pk).first()
    if service is None:
        return _problem(404, "There is no published service with this id")
    return _json(oruk.service_to_oruk(service))


def _service_summary(service: Service) -> dict[str, Any]:
    out: dict[str, Any] = {"id": service.id, "name": service.name, "status": service.status}
    out["organization_id"] = service.organization_id
    for key in ("description", "url", "email"):
        if getattr(service, key):
            out[key] = getattr(service, key)
    return out


def _sal(sal: ServiceAtLocation) -> dict[str, Any]:
    out = oruk.service_at_location_to_oruk(sal)
    out["service"] = _service_summary(sal.service)
    return out


def _sals() -> QuerySet[ServiceAtLocation]:
    return ServiceAtLocation.objects.filter(service__in=published_services()).select_related(
        "location", "service"
    )


@_public
def service_at_locations(request: HttpRequest) -> JsonResponse:
    return _page(request, _sals().order_by("id"), _sal)


@_public
def service_at_location_detail(request: HttpRequest, pk: str) -> JsonResponse:
    sal = _sals().filter(pk=pk).first()
    if sal is None:
        return _problem(404, "There is no published service at location with this id")
    return _json(_sal(sal))


@_public
def taxonomies(request: HttpRequest) -> JsonResponse:
    return _page(request, Taxonomy.objects.order_by("id"), oruk.taxonomy_to_oruk)


@_public
def taxonomy_detail(request: HttpRequest, pk: str) -> JsonResponse:
    taxonomy = Taxonomy.objects.filter(pk=pk).first()
    if taxonomy is None:
        return _problem(404, "There is no taxonomy with this id")
    return _json(oruk.taxonomy_to_oruk(taxonomy))


@_public
def taxonomy_terms(request: HttpRequest) -> JsonResponse:
    queryset = TaxonomyTerm.objects.order_by("id")
    taxonomy_id = request.GET.get("taxonomy_id", "").strip()[:64]
    if taxonomy_id:
        queryset = queryset.filter(taxonomy_id=taxonomy_id)
    if request.GET.get("top_only", "").lower() in {"1", "true"}:
        queryset = queryset.filter(parent__isnull=True)
    parent_id = request.GET.get("parent_id", "").strip()[:64]
    if parent_id:
        queryset = queryset.filter(parent_id=parent_id)
    return _page(request, queryset, oruk.term_to_oruk)


@_public
def taxonomy_term_detail(request: HttpRequest, pk: str) -> JsonResponse:
    term = TaxonomyTerm.objects.filter(pk=pk).first()
    if term is None:
        return _problem(404, "There is no taxonomy term with this id")
    return _json(oruk.term_to_oruk(term))
