"""Load an ORUK file into the directory: ORUK 3.0 (a list of services, a /services page, or Liaison's
export document) or ORUK v1. Re-importing updates by id and never duplicates.

Each service is saved in its own savepoint: a bad one is reported with its position, id and JSON
path and skipped, and the rest still load. A file that is not JSON, or not one of the shapes above,
is one clear error (`MalformedFile`) and nothing changes. What a service is, its children are:
children are replaced by id, and children no longer in the file are removed. The team's local
knowledge is never touched, nor is whether a service is published (a local decision).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from liaison.core.audit import audit
from liaison.core.models import User
from liaison.directory import oruk
from liaison.directory.models import (
    Attribute,
    Contact,
    CostOption,
    Language,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from liaison.directory.taxonomy import ensure_needs_taxonomy

FORMATS = ("auto", "v3", "v1")

Progress = Callable[[str, int, int], None]


class MalformedFile(Exception):
    """The whole file is unusable; nothing was changed."""


@dataclass
class ImportResult:
    format: str
    services_read: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    taxonomies: int = 0
    terms: int = 0
    problems: list[str] = field(default_factory=list)
    dry_run: bool = False
    centroids_refreshed: bool | None = None  # None: directory.geo.refresh_centroids does not exist


@dataclass
class Document:
    format: str
    services: list[Any]
    taxonomies: list[Any]
    terms: list[Any]
    organizations: list[Any]


def read_document(data: bytes | str, *, format: str = "auto") -> Document:
    """Parse the file and find its services; raises MalformedFile for anything that is not a directory."""
    if format not in FORMATS:
        raise MalformedFile(f"Unknown format {format!r}: use one of {', '.join(FORMATS)}")
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise MalformedFile("The file is not UTF-8 text, so it cannot be ORUK JSON") from None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedFile(
            f"The file is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    taxonomies: Any = []
    terms: Any = []
    organizations: Any = []
    if isinstance(parsed, list):
        services = parsed
    elif isinstance(parsed, dict) and isinstance(parsed.get("services"), list):
        services = parsed["services"]
        taxonomies = parsed.get("taxonomies") or []
        terms = parsed.get("taxonomy_terms") or []
        organizations = parsed.get("organizations") or []
    elif isinstance(parsed, dict) and isinstance(parsed.get("contents"), list):
        services = parsed["contents"]  # an ORUK 3.0 /services page
    elif isinstance(parsed, dict) and isinstance(parsed.get("content"), list):
        services = parsed["content"]  # an ORUK v1 /services page
    elif isinstance(parsed, dict) and "id" in parsed and "name" in parsed:
        services = [parsed]  # one service, as /services/{id} gives it
    else:
        raise MalformedFile(
            "The file is JSON but not an ORUK directory: expected a list of services, a /services page "
            '({"contents": [...]}), or an export document ({"services": [...]})'
        )
    for name, value in (
        ("taxonomies", taxonomies),
        ("taxonomy_terms", terms),
        ("organizations", organizations),
    ):
        if not isinstance(value, list):
            raise MalformedFile(f'"{name}" should be a list')
    if format == "auto":
        format = "v1" if any(oruk.looks_like_v1(s) for s in services) else "v3"
    return Document(format, services, taxonomies, terms, organizations)


def _refresh_centroids() -> bool | None:
    """Matching's postcode centroids follow the locations; geo.py may not exist in every build."""
    try:
        geo = importlib.import_module("liaison.directory.geo")
    except ModuleNotFoundError:
        return None
    refresh = getattr(geo, "refresh_centroids", None)
    if refresh is None:
        return None
    refresh()
    return True


def directory_import(
    *,
    data: bytes | str,
    actor: User | None = None,
    format: str = "auto",
    dry_run: bool = False,
    progress: Progress | None = None,
    source: str = "",
) -> ImportResult:
    document = read_document(data, format=format)
    result = ImportResult(format=document.format, dry_run=dry_run)
    with transaction.atomic():
        ensure_needs_taxonomy()
        oruk.ensure_eligibility_taxonomy()
        _import_taxonomies(document, result)
        known_terms = set(TaxonomyTerm.objects.values_list("id", flat=True))
        known_orgs = set(Organization.objects.values_list("id", flat=True))
        _import_organizations(document, result, known_orgs)
        existing = set(Service.objects.values_list("id", flat=True))
        first_seen: dict[str, int] = {}
        total = len(document.services)
        for index, raw in enumerate(document.services):
            result.services_read += 1
            where = f"services[{index}]"
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            label = f"{where} (id {raw_id})" if raw_id else where
            try:
                data_v3 = oruk.v1_to_v3(raw) if document.format == "v1" else raw
                parsed = oruk.parse_service(data_v3, "", known_terms=known_terms, known_orgs=known_orgs)
                if parsed.service.id in first_seen:
                    raise oruk.RecordProblem(
                        ".id",
                        "the same service is already in the file at "
                        f"services[{first_seen[parsed.service.id]}]",
                    )
                with transaction.atomic():
                    _save(parsed, exists=parsed.service.id in existing)
            except oruk.RecordProblem as problem:
                path = oruk.v1_path(problem.path) if document.format == "v1" else problem.path
                result.problems.append(
                    f"{label} {path}: {problem.message}" if path else f"{label}: {problem.message}"
                )
                result.skipped += 1
            else:
                first_seen[parsed.service.id] = index
                if parsed.organization is not None:
                    known_orgs.add(parsed.organization.id)
                known_terms.update(term.id for term in parsed.terms)
                if parsed.service.id in existing:
                    result.updated += 1
                else:
                    result.created += 1
                    existing.add(parsed.service.id)
            if progress is not None and (index % 50 == 0 or index + 1 == total):
                progress("services", index + 1, total)
        audit(
            actor=actor,
            action="directory.import",
            object_type="directory",
            detail={
                "source": source[:200],
                "format": document.format,
                "created": result.created,
                "updated": result.updated,
                "skipped": result.skipped,
                "dry_run": dry_run,
            },
        )
        if dry_run:
            transaction.set_rollback(True)
    if not dry_run and (result.created or result.updated):
        result.centroids_refreshed = _refresh_centroids()
    return result


def _import_taxonomies(document: Document, result: ImportResult) -> None:
    vocabularies = oruk.v1_vocabularies(document.services) if document.format == "v1" else {}
    for taxonomy_id, name in vocabularies.items():
        Taxonomy.objects.get_or_create(id=taxonomy_id, defaults={"name": name, "description": name})
    for index, raw in enumerate(document.taxonomies):
        where = f"taxonomies[{index}]"
        try:
            item = oruk._obj(raw, where)
            taxonomy_id = oruk._id(item, where)
            Taxonomy.objects.update_or_create(
                id=taxonomy_id,
                defaults={
                    "name": oruk._text(item, "name", where, max_length=200, required=True),
                    "description": oruk._text(item, "description", where),
                    "uri": oruk._text(item, "uri", where, max_length=300),
                    "version": oruk._text(item, "version", where, max_length=40),
                },
            )
            result.taxonomies += 1
        except oruk.RecordProblem as problem:
            result.problems.append(str(problem))
    known_taxonomies = set(Taxonomy.objects.values_list("id", flat=True))
    parents: dict[str, str] = {}
    for index, raw in enumerate(document.terms):
        where = f"taxonomy_terms[{index}]"
        try:
            item = oruk._obj(raw, where)
            term_id = oruk._id(item, where)
            taxonomy_id = oruk._text(item, "taxonomy_id", where, max_length=64)
            if taxonomy_id and taxonomy_id not in known_taxonomies:
                raise oruk.RecordProblem(f"{where}.taxonomy_id", f'"{taxonomy_id}" is not a known taxonomy')
            TaxonomyTerm.objects.update_or_create(
                id=term_id,
                defaults={
                    "name": oruk._text(item, "name", where, max_length=200, required=True),
                    "description": oruk._text(item, "description", where),
                    "code": oruk._text(item, "code", where, max_length=100),
                    "taxonomy_id": taxonomy_id or None,
                    "language": oruk._text(item, "language", where, max_length=10),
                    "term_uri": oruk._text(item, "term_uri", where, max_length=300),
                },
            )
            if item.get("parent_id"):
                parents[term_id] = str(item["parent_id"])
            result.terms += 1
        except oruk.RecordProblem as problem:
            result.problems.append(str(problem))
    # Parents last: a term may come before its parent in the file.
    known = set(TaxonomyTerm.objects.filter(id__in=set(parents.values())).values_list("id", flat=True))
    for term_id, parent_id in parents.items():
        TaxonomyTerm.objects.filter(id=term_id).update(parent_id=parent_id if parent_id in known else None)


def _import_organizations(document: Document, result: ImportResult, known: set[str]) -> None:
    for index, raw in enumerate(document.organizations):
        where = f"organizations[{index}]"
        try:
            org = oruk.parse_organization(raw, where)
        except oruk.RecordProblem as problem:
            result.problems.append(str(problem))
            continue
        org.save()
        known.add(org.id)


_CHILDREN: tuple[tuple[str, type[Model], str], ...] = (
    ("attributes", Attribute, "service"),
    ("schedules", Schedule, "service"),
    ("service_areas", ServiceArea, "service"),
    ("service_at_locations", ServiceAtLocation, "service"),
    ("contacts", Contact, "service"),
    ("cost_options", CostOption, "service"),
    ("languages", Language, "service"),
)


def _save(parsed: oruk.ParsedService, *, exists: bool) -> None:
    if parsed.organization is not None:
        parsed.organization.save()
    for term in parsed.terms:
        if term.taxonomy_id and not Taxonomy.objects.filter(id=term.taxonomy_id).exists():
            term.taxonomy_id = None
        term.save()
    service = parsed.service
    now = timezone.now()
    if exists:
        current = Service.objects.select_for_update().get(pk=service.pk)
        service.published = current.published
        service.maintained_by_id = current.maintained_by_id
        service.created_at = current.created_at
        service.version = current.version + 1
    else:
        service.created_at = now
    service.updated_at = now
    service.save()
    for location in parsed.locations:
        location.save()
    for name, model, link in _CHILDREN:
        rows = getattr(parsed, name)
        model._default_manager.filter(**{link: service}).exclude(id__in=[r.id for r in rows]).delete()
        for row in rows:
            row.save()
    phones = parsed.phones
    contact_ids = [c.id for c in parsed.contacts]
    Phone.objects.filter(service=service).exclude(id__in=[p.id for p in phones]).delete()
    Phone.objects.filter(contact_id__in=contact_ids).exclude(id__in=[p.id for p in phones]).delete()
    for phone in phones:
        phone.save()
    # Locations no service uses any more are left: another service may take them up again.
