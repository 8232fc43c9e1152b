"""Write the directory as one ORUK 3.0 JSON document (the importer reads it back unchanged).

{
  "version": "HSDS 3.0",
  "profile": <the ORUK profile's address>,
  "generated_at": <when>,
  "taxonomies": [<taxonomy>...],
  "taxonomy_terms": [<taxonomy_term>...],
  "services": [<fully nested service, as oruk-3.0/schema/compiled/service.json>...]
}

Services are read in batches, so memory stays flat however large the directory is. Local knowledge is
never exported; neither is whether a service is published.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from liaison.core.audit import audit
from liaison.core.models import User
from liaison.directory import oruk
from liaison.directory.models import Service, Taxonomy, TaxonomyTerm
from liaison.directory.taxonomy import ensure_needs_taxonomy

BATCH = 200


def exported_services(*, published_only: bool = False) -> QuerySet[Service]:
    services = Service.objects.select_related("organization").prefetch_related(*oruk.EXPORT_PREFETCH)
    if published_only:
        services = services.filter(published=True).exclude(status="defunct")
    return services.order_by("id")


def iter_services(*, published_only: bool = False) -> Iterator[dict[str, Any]]:
    for service in exported_services(published_only=published_only).iterator(chunk_size=BATCH):
        yield oruk.service_to_oruk(service)


def directory_export(*, actor: User | None = None, published_only: bool = False) -> dict[str, Any]:
    ensure_needs_taxonomy()
    oruk.ensure_eligibility_taxonomy()
    services = list(iter_services(published_only=published_only))
    audit(
        actor=actor,
        action="directory.export",
        object_type="directory",
        detail={"services": len(services), "published_only": published_only},
    )
    return {
        "version": oruk.HSDS_VERSION,
        "profile": oruk.PROFILE_URL,
        "generated_at": timezone.now().isoformat(),
        "taxonomies": [oruk.taxonomy_to_oruk(t) for t in Taxonomy.objects.order_by("id")],
        "taxonomy_terms": [oruk.term_to_oruk(t) for t in TaxonomyTerm.objects.order_by("id")],
        "services": services,
    }
