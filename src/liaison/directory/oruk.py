"""Open Referral UK 3.0 JSON <-> the directory models, both ways. No writes here: the importer saves.

Reading: `parse_service(data, path)` checks one fully nested ORUK 3.0 service and gives a
`ParsedService` of unsaved model instances; a problem raises `RecordProblem` naming the JSON path
(".schedules[0].opens_at") and what is wrong in words. `v1_to_v3(data)` turns an ORUK v1 service
(regular_schedules, service_taxonomys, eligibilitys, physical_addresses...) into the 3.0 shape first.

Writing: `service_to_oruk(service)` gives the fully nested 3.0 service (the shape of
oruk-3.0/schema/compiled/service.json), from a service fetched with `EXPORT_PREFETCH`.

Local extensions stay valid ORUK 3.0:
- women only / men only / open on bank holidays are `attributes` linking terms of the
  "liaison-eligibility" taxonomy (ids in ELIGIBILITY_TERMS);
- the postcode areas a service covers are `postcode_prefixes` on each service area (the schemas
  allow properties they do not name);
- phones hang off contacts as `phones` (the HSDS 3.0 shape, which the UK profile leaves out);
- fields the standard has and the models do not are kept in `extra` and written back as they came.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from liaison.directory.models import (
    Attribute,
    Contact,
    CostOption,
    EligibleSex,
    Language,
    Location,
    LocationType,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)
from liaison.directory.taxonomy import ELIGIBILITY_TAXONOMY_ID

HSDS_VERSION = "HSDS 3.0"
PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"

WOMEN_ONLY = f"{ELIGIBILITY_TAXONOMY_ID}-women-only"
MEN_ONLY = f"{ELIGIBILITY_TAXONOMY_ID}-men-only"
OPEN_BANK_HOLIDAYS = f"{ELIGIBILITY_TAXONOMY_ID}-open-bank-holidays"
ELIGIBILITY_TERMS = {
    WOMEN_ONLY: ("Women only", "The service takes women only."),
    MEN_ONLY: ("Men only", "The service takes men only."),
    OPEN_BANK_HOLIDAYS: ("Open on bank holidays", "Opening times apply on bank holidays too."),
}
SEX_TERMS = {EligibleSex.FEMALE: WOMEN_ONLY, EligibleSex.MALE: MEN_ONLY}

EXPORT_PREFETCH = (
    "attributes__taxonomy_term",
    "schedules",
    "service_areas",
    "service_at_locations__location",
    "contacts__phones",
    "phones",
    "cost_options",
    "languages",
)

# Service fields read straight across (ORUK name -> model field); the rest is handled by hand.
_SERVICE_TEXT = {
    "alternate_name": "alternate_name",
    "description": "description",
    "url": "url",
    "email": "email",
    "interpretation_services": "interpretation_services",
    "application_process": "application_process",
    "fees_description": "fees_description",
    "accreditations": "accreditations",
    "alert": "alert",
}
_SERVICE_HANDLED = {
    *_SERVICE_TEXT,
    "id",
    "name",
    "status",
    "organization",
    "organization_id",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "last_modified",
    "attributes",
    "schedules",
    "service_areas",
    "service_at_locations",
    "contacts",
    "phones",
    "cost_options",
    "languages",
}


class RecordProblem(Exception):
    """One bad record: `path` is where in the record (".schedules[0].opens_at"), `message` is why."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def ensure_eligibility_taxonomy() -> None:
    """Create (or bring up to date) the local eligibility taxonomy and its terms. Idempotent."""
    taxonomy, _ = Taxonomy.objects.update_or_create(
        id=ELIGIBILITY_TAXONOMY_ID,
        defaults={
            "name": "Liaison eligibility",
            "description": "Eligibility ORUK 3.0 has no field for, carried as attributes.",
            "version": "2026-11",
        },
    )
    for term_id, (name, description) in ELIGIBILITY_TERMS.items():
        TaxonomyTerm.objects.update_or_create(
            id=term_id,
            defaults={
                "code": term_id.removeprefix(f"{ELIGIBILITY_TAXONOMY_ID}-"),
                "name": name,
                "description": description,
                "taxonomy": taxonomy,
            },
        )


# --- small readers -------------------------------------------------------------------------------


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 60 else text[:57] + "..."


def _obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordProblem(path, f"should be an object, not {_show(value)}")
    return value


def _list(data: dict[str, Any], key: str, path: str) -> list[dict[str, Any]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordProblem(f"{path}.{key}", "should be a list")
    return [_obj(item, f"{path}.{key}[{i}]") for i, item in enumerate(value)]


def _text(data: dict[str, Any], key: str, path: str, *, max_length: int = 0, required: bool = False) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise RecordProblem(f"{path}.{key}", "is required and missing")
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise RecordProblem(f"{path}.{key}", f"should be text, not {_show(value)}")
    value = value.strip()
    if max_length and len(value) > max_length:
        raise RecordProblem(f"{path}.{key}", f"is longer than {max_length} characters")
    if required and not value:
        raise RecordProblem(f"{path}.{key}", "is required and blank")
    return value


def _id(data: dict[str, Any], path: str, key: str = "id") -> str:
    return _text(data, key, path, max_length=64, required=True)


def _age(data: dict[str, Any], key: str, path: str) -> int | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise RecordProblem(f"{path}.{key}", f"{_show(value)} is not a whole number of years")
    if not 0 <= value <= 150:
        raise RecordProblem(f"{path}.{key}", f"{_show(value)} is not an age")
    return int(value)


def _date(data: dict[str, Any], key: str, path: str) -> dt.date | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RecordProblem(f"{path}.{key}", f"{_show(value)} is not a date (YYYY-MM-DD)") from None


def _datetime(data: dict[str, Any], key: str, path: str) -> dt.datetime | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise RecordProblem(f"{path}.{key}", f"{_show(value)} is not a date and time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?$")


def parse_time(value: Any) -> dt.time | None:
    """ "09:00", "9:00", "17:30:00", "08:00:00Z" -> a time; None for anything that is not a time of day."""
    match = _TIME.match(str(value).strip()) if isinstance(value, str) else None
    if not match:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return dt.time(hour, minute, second)


def _time(data: dict[str, Any], key: str, path: str) -> dt.time | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    parsed = parse_time(value)
    if parsed is None:
        raise RecordProblem(f"{path}.{key}", f"{_show(value)} is not a time of day")
    return parsed


def _number(data: dict[str, Any], key: str, path: str) -> float | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RecordProblem(f"{path}.{key}", f"{_show(value)} is not a number")
    try:
        return float(value)
    except ValueError:
        raise RecordProblem(f"{path}.{key}", f"{_show(value)} is not a number") from None


def _rest(data: dict[str, Any], handled: set[str] | frozenset[str]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in handled and value is not None}


# --- reading one service -------------------------------------------------------------------------


@dataclass
class ParsedService:
    service: Service
    organization: Organization | None  # None: organization_id names one already stored
    organization_id: str
    attributes: list[Attribute] = field(default_factory=list)
    terms: list[TaxonomyTerm] = field(default_factory=list)  # carried inline, to create if new
    schedules: list[Schedule] = field(default_factory=list)
    service_areas: list[ServiceArea] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    service_at_locations: list[ServiceAtLocation] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    cost_options: list[CostOption] = field(default_factory=list)
    languages: list[Language] = field(default_factory=list)


def parse_service(data: Any, path: str, *, known_terms: set[str], known_orgs: set[str]) -> ParsedService:
    """One ORUK 3.0 service, checked. `known_terms`/`known_orgs`: ids already stored or in the file."""
    data = _obj(data, path)
    service_id = _id(data, path)
    status = _text(data, "status", path, required=True).lower()
    if status not in ServiceStatus.values:
        raise RecordProblem(
            f"{path}.status", f"{_show(data['status'])} is not one of {', '.join(ServiceStatus.values)}"
        )
    minimum, maximum = _age(data, "minimum_age", path), _age(data, "maximum_age", path)
    if minimum is not None and maximum is not None and minimum > maximum:
        raise RecordProblem(f"{path}.minimum_age", f"{minimum} is above the maximum age {maximum}")
    service = Service(
        id=service_id,
        name=_text(data, "name", path, max_length=200, required=True),
        status=status,
        minimum_age=minimum,
        maximum_age=maximum,
        assured_date=_date(data, "assured_date", path),
        last_modified=_datetime(data, "last_modified", path),
        extra=_rest(data, _SERVICE_HANDLED | {"fees"}),
    )
    for key, name in _SERVICE_TEXT.items():
        setattr(service, name, _text(data, key, path, max_length=_max_length(Service, name)))
    if not service.fees_description and data.get("fees"):
        service.fees_description = _text(data, "fees", path)
    elif data.get("fees") is not None:
        service.extra["fees"] = data["fees"]
    parsed = ParsedService(service=service, organization=None, organization_id="")
    _read_organization(parsed, data, path, known_orgs)
    service.organization_id = parsed.organization_id
    _read_attributes(parsed, data, path, known_terms)
    for i, item in enumerate(_list(data, "schedules", path)):
        parsed.schedules.append(_schedule(item, f"{path}.schedules[{i}]", service_id))
    for i, item in enumerate(_list(data, "service_areas", path)):
        where = f"{path}.service_areas[{i}]"
        parsed.service_areas.append(
            ServiceArea(
                id=_id(item, where),
                service_id=service_id,
                name=_text(item, "name", where, max_length=200),
                description=_text(item, "service_area", where) or _text(item, "description", where),
                extent=_text(item, "extent", where),
                extent_type=_text(item, "extent_type", where, max_length=20),
                uri=_text(item, "uri", where, max_length=300),
                postcode_prefixes=" ".join(
                    _text(item, "postcode_prefixes", where, max_length=500).upper().split()
                ),
            )
        )
    for i, item in enumerate(_list(data, "service_at_locations", path)):
        _read_service_at_location(parsed, item, f"{path}.service_at_locations[{i}]")
    for i, item in enumerate(_list(data, "contacts", path)):
        where = f"{path}.contacts[{i}]"
        contact = Contact(
            id=_id(item, where),
            service_id=service_id,
            name=_text(item, "name", where, max_length=200),
            title=_text(item, "title", where, max_length=200),
            department=_text(item, "department", where, max_length=200),
            email=_text(item, "email", where, max_length=254),
        )
        parsed.contacts.append(contact)
        for j, phone in enumerate(_list(item, "phones", where)):
            parsed.phones.append(_phone(phone, f"{where}.phones[{j}]", contact_id=contact.id))
    for i, item in enumerate(_list(data, "phones", path)):
        parsed.phones.append(_phone(item, f"{path}.phones[{i}]", service_id=service_id))
    for i, item in enumerate(_list(data, "cost_options", path)):
        where = f"{path}.cost_options[{i}]"
        amount = _number(item, "amount", where)
        try:
            decimal_amount = None if amount is None else Decimal(str(amount)).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise RecordProblem(f"{where}.amount", "is not an amount of money") from None
        parsed.cost_options.append(
            CostOption(
                id=_id(item, where),
                service_id=service_id,
                valid_from=_date(item, "valid_from", where),
                valid_to=_date(item, "valid_to", where),
                option=_text(item, "option", where, max_length=200),
                amount=decimal_amount,
                currency=_text(item, "currency", where, max_length=3),
                amount_description=_text(item, "amount_description", where),
            )
        )
    for i, item in enumerate(_list(data, "languages", path)):
        where = f"{path}.languages[{i}]"
        parsed.languages.append(
            Language(
                id=_id(item, where),
                service_id=service_id,
                name=_text(item, "name", where, max_length=100),
                code=_text(item, "code", where, max_length=10),
                note=_text(item, "note", where),
            )
        )
    _check_unique_ids(parsed, path)
    return parsed


def _max_length(model: type, name: str) -> int:
    return getattr(model._meta.get_field(name), "max_length", None) or 0  # type: ignore[attr-defined]


def _read_organization(parsed: ParsedService, data: dict[str, Any], path: str, known: set[str]) -> None:
    nested = data.get("organization")
    if nested is not None:
        parsed.organization = parse_organization(nested, f"{path}.organization")
        parsed.organization_id = parsed.organization.id
        return
    org_id = _text(data, "organization_id", path, max_length=64)
    if not org_id:
        raise RecordProblem(f"{path}.organization", "is required: every service belongs to an organisation")
    if org_id not in known:
        raise RecordProblem(f"{path}.organization_id", f"{_show(org_id)} is not a known organisation")
    parsed.organization_id = org_id


def parse_organization(data: Any, where: str) -> Organization:
    item = _obj(data, where)
    handled = {"id", "name", "alternate_name", "description", "email", "website", "url"}
    return Organization(
        id=_id(item, where),
        name=_text(item, "name", where, max_length=200, required=True),
        alternate_name=_text(item, "alternate_name", where, max_length=200),
        description=_text(item, "description", where),
        email=_text(item, "email", where, max_length=254),
        website=_text(item, "website", where, max_length=300) or _text(item, "url", where, max_length=300),
        extra=_rest(item, handled),
    )


def _read_attributes(parsed: ParsedService, data: dict[str, Any], path: str, known: set[str]) -> None:
    service = parsed.service
    for i, item in enumerate(_list(data, "attributes", path)):
        where = f"{path}.attributes[{i}]"
        inline = item.get("taxonomy_term")
        term_id = _text(item, "taxonomy_term_id", where, max_length=64)
        if not term_id and isinstance(inline, dict):
            term_id = _text(inline, "id", f"{where}.taxonomy_term", max_length=64)
        if not term_id:
            raise RecordProblem(f"{where}.taxonomy_term_id", "is required and missing")
        if term_id == WOMEN_ONLY:
            service.eligible_sex = EligibleSex.FEMALE
            continue
        if term_id == MEN_ONLY:
            service.eligible_sex = EligibleSex.MALE
            continue
        if term_id == OPEN_BANK_HOLIDAYS:
            service.open_bank_holidays = True
            continue
        if term_id not in known:
            if isinstance(inline, dict) and inline.get("name"):
                term_where = f"{where}.taxonomy_term"
                parsed.terms.append(
                    TaxonomyTerm(
                        id=term_id,
                        name=_text(inline, "name", term_where, max_length=200),
                        description=_text(inline, "description", term_where),
                        code=_text(inline, "code", term_where, max_length=100)
                        or _text(inline, "term", term_where, max_length=100),
                        term_uri=_text(inline, "term_uri", term_where, max_length=300),
                        taxonomy_id=_text(inline, "taxonomy_id", term_where, max_length=64) or None,
                    )
                )
            else:
                raise RecordProblem(
                    f"{where}.taxonomy_term_id", f"{_show(term_id)} is not a known taxonomy term"
                )
        parsed.attributes.append(
            Attribute(
                id=_id(item, where),
                service_id=service.id,
                taxonomy_term_id=term_id,
                link_type=_text(item, "link_type", where, max_length=50),
                value=_text(item, "value", where, max_length=200),
                label=_text(item, "label", where, max_length=200),
            )
        )


_BYDAY = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
_SCHEDULE_HANDLED = {
    "id",
    "service_id",
    "service_at_location_id",
    "valid_from",
    "valid_to",
    "freq",
    "interval",
    "byday",
    "bymonthday",
    "opens_at",
    "closes_at",
    "description",
    "notes",
    "attending_type",
}


def _schedule(item: dict[str, Any], where: str, service_id: str) -> Schedule:
    freq = _text(item, "freq", where).upper()
    if freq and freq not in {"WEEKLY", "MONTHLY"}:
        raise RecordProblem(f"{where}.freq", f"{_show(item['freq'])} is not WEEKLY or MONTHLY")
    byday = _text(item, "byday", where).upper().replace(" ", "")
    for day in filter(None, byday.split(",")):
        if day.lstrip("+-0123456789") not in _BYDAY:
            raise RecordProblem(f"{where}.byday", f"{_show(item['byday'])} is not a list of days like MO,TU")
    interval = _number(item, "interval", where)
    return Schedule(
        id=_id(item, where),
        service_id=service_id,
        valid_from=_date(item, "valid_from", where),
        valid_to=_date(item, "valid_to", where),
        freq=freq,
        interval=int(interval) if interval is not None else None,
        byday=byday,
        bymonthday=_text(item, "bymonthday", where, max_length=40),
        opens_at=_time(item, "opens_at", where),
        closes_at=_time(item, "closes_at", where),
        description=_text(item, "description", where),
        notes=_text(item, "notes", where),
        attending_type=_text(item, "attending_type", where, max_length=50),
        extra=_rest(item, _SCHEDULE_HANDLED),
    )


def _phone(item: dict[str, Any], where: str, *, contact_id: str = "", service_id: str = "") -> Phone:
    return Phone(
        id=_id(item, where),
        contact_id=contact_id or None,
        service_id=service_id or None,
        number=_text(item, "number", where, max_length=40, required=True),
        extension=_text(item, "extension", where, max_length=10),
        type=_text(item, "type", where, max_length=20),
        description=_text(item, "description", where),
    )


_LOCATION_HANDLED = {"id", "location_type", "name", "description", "latitude", "longitude", "addresses"}
_ADDRESS_HANDLED = {
    "id",
    "location_id",
    "address_1",
    "address_2",
    "city",
    "state_province",
    "postal_code",
    "country",
}


def _read_service_at_location(parsed: ParsedService, item: dict[str, Any], where: str) -> None:
    from liaison.directory.eligibility import outward_code

    sal_id = _id(item, where)
    nested = item.get("location")
    if nested is None:
        raise RecordProblem(f"{where}.location", "is required: the location itself, not only its id")
    loc_where = f"{where}.location"
    loc = _obj(nested, loc_where)
    location_type = _text(loc, "location_type", loc_where) or LocationType.PHYSICAL
    if location_type not in LocationType.values:
        raise RecordProblem(
            f"{loc_where}.location_type", f"{_show(location_type)} is not physical, postal or virtual"
        )
    latitude, longitude = _number(loc, "latitude", loc_where), _number(loc, "longitude", loc_where)
    if latitude is not None and not -90 <= latitude <= 90:
        raise RecordProblem(f"{loc_where}.latitude", f"{latitude} is not a latitude")
    if longitude is not None and not -180 <= longitude <= 180:
        raise RecordProblem(f"{loc_where}.longitude", f"{longitude} is not a longitude")
    location = Location(
        id=_id(loc, loc_where),
        location_type=location_type,
        name=_text(loc, "name", loc_where, max_length=200),
        description=_text(loc, "description", loc_where),
        latitude=latitude,
        longitude=longitude,
        extra=_rest(loc, _LOCATION_HANDLED),
    )
    addresses = _list(loc, "addresses", loc_where)
    if addresses:
        # One address per location here: the physical one (or the first); others kept as they came.
        chosen = next((i for i, a in enumerate(addresses) if a.get("address_type") == "physical"), 0)
        address, addr_where = addresses[chosen], f"{loc_where}.addresses[{chosen}]"
        location.address_id = _id(address, addr_where)
        location.address_1 = _text(address, "address_1", addr_where, max_length=200)
        location.address_2 = _text(address, "address_2", addr_where, max_length=200)
        location.city = _text(address, "city", addr_where, max_length=100)
        location.state_province = _text(address, "state_province", addr_where, max_length=100)
        location.postal_code = _text(address, "postal_code", addr_where, max_length=10).upper()
        location.country = _text(address, "country", addr_where, max_length=2).upper() or "GB"
        location.outward_code = outward_code(location.postal_code)
        rest = _rest(address, _ADDRESS_HANDLED)
        if rest:
            location.extra["address"] = rest
        others = [a for i, a in enumerate(addresses) if i != chosen]
        if others:
            location.extra["other_addresses"] = others
    parsed.locations.append(location)
    parsed.service_at_locations.append(
        ServiceAtLocation(
            id=sal_id,
            service_id=parsed.service.id,
            location_id=location.id,
            description=_text(item, "description", where),
        )
    )


def _check_unique_ids(parsed: ParsedService, path: str) -> None:
    for name in (
        "attributes",
        "schedules",
        "service_areas",
        "service_at_locations",
        "contacts",
        "phones",
        "cost_options",
        "languages",
    ):
        seen: set[str] = set()
        for row in getattr(parsed, name):
            if row.id in seen:
                raise RecordProblem(f"{path}.{name}", f'the id "{row.id}" is used twice')
            seen.add(row.id)


# --- ORUK v1 -------------------------------------------------------------------------------------

V1_KEYS = frozenset(
    {"regular_schedules", "service_taxonomys", "eligibilitys", "holiday_schedules", "fundings"}
)
# v3 path names -> the v1 names they came from, to report a problem where the v1 file has it.
V1_PATH_NAMES = {
    ".schedules[": ".regular_schedules[",
    ".attributes[": ".service_taxonomys[",
    ".addresses[": ".physical_addresses[",
}
_WEEKDAYS = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
    "1": "MO",
    "2": "TU",
    "3": "WE",
    "4": "TH",
    "5": "FR",
    "6": "SA",
    "7": "SU",
}


def looks_like_v1(service: Any) -> bool:
    if not isinstance(service, dict):
        return False
    if V1_KEYS & set(service):
        return True
    for sal in service.get("service_at_locations") or []:
        location = sal.get("location") if isinstance(sal, dict) else None
        if isinstance(location, dict) and "physical_addresses" in location:
            return True
    return False


def v1_to_v3(data: Any) -> Any:
    """An ORUK v1 service in the 3.0 shape. List positions are kept, so problems map back (V1_PATH_NAMES)."""
    if not isinstance(data, dict):
        return data
    out = {
        k: v for k, v in data.items() if k not in V1_KEYS | {"service_at_locations", "contacts", "languages"}
    }
    out.setdefault("status", "active")
    if "fundings" in data:
        out["funding"] = data["fundings"]
    schedules = []
    for item in data.get("regular_schedules") or []:
        if not isinstance(item, dict):
            schedules.append(item)
            continue
        row = {k: v for k, v in item.items() if k not in {"weekday", "service_id", "location_id"}}
        weekday = str(item.get("weekday") or "").strip().lower()
        if weekday and not row.get("byday"):
            row["byday"] = _WEEKDAYS.get(weekday, weekday.upper())
            row.setdefault("freq", "WEEKLY")
        schedules.append(row)
    out["schedules"] = schedules
    holidays = data.get("holiday_schedules") or []
    if holidays:
        out["liaison_v1_holiday_schedules"] = holidays
    out["attributes"] = [_v1_attribute(item, data.get("id")) for item in data.get("service_taxonomys") or []]
    for item in data.get("eligibilitys") or []:
        if not isinstance(item, dict):
            continue
        for key in ("minimum_age", "maximum_age"):
            if item.get(key) not in (None, "") and out.get(key) in (None, ""):
                out[key] = item[key]
        gender = str(item.get("gender") or item.get("eligibility") or "").strip().lower()
        if gender in {"female", "women", "women only", "female only"}:
            out["attributes"].append({"id": f"{item.get('id')}-sex", "taxonomy_term_id": WOMEN_ONLY})
        elif gender in {"male", "men", "men only", "male only"}:
            out["attributes"].append({"id": f"{item.get('id')}-sex", "taxonomy_term_id": MEN_ONLY})
    out["service_areas"] = [
        {**item, "service_area": item.get("service_area") or item.get("description")}
        if isinstance(item, dict)
        else item
        for item in data.get("service_areas") or []
    ]
    out["service_at_locations"] = [_v1_sal(item) for item in data.get("service_at_locations") or []]
    out["contacts"] = data.get("contacts") or []
    out["languages"] = [
        {"id": item.get("id"), "name": item.get("language") or item.get("name")}
        if isinstance(item, dict)
        else item
        for item in data.get("languages") or []
    ]
    return out


def _v1_attribute(item: Any, service_id: Any) -> Any:
    if not isinstance(item, dict):
        return item
    found = item.get("taxonomy")
    taxonomy: dict[str, Any] = found if isinstance(found, dict) else {}
    term_id = taxonomy.get("id") or item.get("taxonomy_id")
    inline = None
    if taxonomy.get("name"):
        inline = {
            "id": term_id,
            "name": taxonomy["name"],
            "description": taxonomy.get("name"),
            "taxonomy_id": _vocabulary_id(taxonomy.get("vocabulary")),
        }
    return {
        "id": item.get("id"),
        "taxonomy_term_id": term_id,
        "link_type": "service",
        "taxonomy_term": inline,
    }


def _vocabulary_id(vocabulary: Any) -> str | None:
    return re.sub(r"[^a-z0-9]+", "-", str(vocabulary).lower()).strip("-")[:64] or None if vocabulary else None


def _v1_sal(item: Any) -> Any:
    if not isinstance(item, dict) or not isinstance(item.get("location"), dict):
        return item
    location = {k: v for k, v in item["location"].items() if k != "physical_addresses"}
    location.setdefault("location_type", "physical")
    location["addresses"] = [
        {**a, "address_type": "physical"} if isinstance(a, dict) else a
        for a in item["location"].get("physical_addresses") or []
    ]
    return {**item, "location": location}


def v1_vocabularies(services: list[Any]) -> dict[str, str]:
    """The v1 taxonomy vocabularies named by these services: {taxonomy id: name}, to create before import."""
    found: dict[str, str] = {}
    for service in services:
        if not isinstance(service, dict):
            continue
        for item in service.get("service_taxonomys") or []:
            taxonomy = item.get("taxonomy") if isinstance(item, dict) else None
            if isinstance(taxonomy, dict) and taxonomy.get("vocabulary"):
                vocabulary_id = _vocabulary_id(taxonomy["vocabulary"])
                if vocabulary_id:
                    found[vocabulary_id] = str(taxonomy["vocabulary"])[:200]
    return found


def v1_path(path: str) -> str:
    for new, old in V1_PATH_NAMES.items():
        path = path.replace(new, old)
    return path


# --- writing -------------------------------------------------------------------------------------


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """Leave out what is empty: the schemas type fields as strings or numbers, never null."""
    if value is None or value == "":
        return
    out[key] = value


def _iso(value: dt.date | dt.time | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def taxonomy_to_oruk(taxonomy: Taxonomy) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": taxonomy.id,
        "name": taxonomy.name,
        "description": taxonomy.description or taxonomy.name,
    }
    _put(out, "uri", taxonomy.uri)
    _put(out, "version", taxonomy.version)
    return out


def term_to_oruk(term: TaxonomyTerm) -> dict[str, Any]:
    out: dict[str, Any] = {"id": term.id, "name": term.name, "description": term.description or term.name}
    _put(out, "code", term.code)
    _put(out, "parent_id", term.parent_id)
    _put(out, "taxonomy_id", term.taxonomy_id)
    _put(out, "language", term.language)
    _put(out, "term_uri", term.term_uri)
    return out


def organization_to_oruk(org: Organization) -> dict[str, Any]:
    out: dict[str, Any] = {
        **org.extra,
        "id": org.id,
        "name": org.name,
        "description": org.description or org.name,
    }
    _put(out, "alternate_name", org.alternate_name)
    _put(out, "email", org.email)
    _put(out, "website", org.website)
    return out


def _attribute(attr_id: str, service_id: str, term: TaxonomyTerm | None, term_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": attr_id,
        "link_id": service_id,
        "taxonomy_term_id": term_id,
        "link_type": "service",
    }
    if term is not None:
        out["taxonomy_term"] = term_to_oruk(term)
    else:
        name, description = ELIGIBILITY_TERMS[term_id]
        out["taxonomy_term"] = {
            "id": term_id,
            "name": name,
            "description": description,
            "taxonomy_id": ELIGIBILITY_TAXONOMY_ID,
        }
    return out


def location_to_oruk(location: Location) -> dict[str, Any]:
    extra = dict(location.extra)
    address_rest = extra.pop("address", {})
    other_addresses = extra.pop("other_addresses", [])
    out: dict[str, Any] = {**extra, "id": location.id, "location_type": location.location_type}
    _put(out, "name", location.name)
    _put(out, "description", location.description)
    _put(out, "latitude", location.latitude)
    _put(out, "longitude", location.longitude)
    addresses = []
    if location.address_id:
        address: dict[str, Any] = {
            "address_type": "physical",
            **address_rest,
            "id": location.address_id,
            "location_id": location.id,
            "address_1": location.address_1,
            "city": location.city,
            "state_province": location.state_province,
            "postal_code": location.postal_code,
            "country": location.country or "GB",
        }
        _put(address, "address_2", location.address_2)
        addresses.append(address)
    addresses.extend(other_addresses)
    if addresses:
        out["addresses"] = addresses
    return out


def service_at_location_to_oruk(sal: ServiceAtLocation, *, with_service: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"id": sal.id, "service_id": sal.service_id, "location_id": sal.location_id}
    _put(out, "description", sal.description)
    out["location"] = location_to_oruk(sal.location)
    return out


def _phone_to_oruk(phone: Phone) -> dict[str, Any]:
    out: dict[str, Any] = {"id": phone.id, "number": phone.number}
    _put(out, "contact_id", phone.contact_id)
    _put(out, "service_id", phone.service_id)
    _put(out, "extension", phone.extension)
    _put(out, "type", phone.type)
    _put(out, "description", phone.description)
    return out


def service_to_oruk(service: Service) -> dict[str, Any]:
    """The fully nested ORUK 3.0 service. Fetch the service with select_related("organization") and
    prefetch_related(*EXPORT_PREFETCH) so this makes no queries."""
    out: dict[str, Any] = {**service.extra, "id": service.id, "name": service.name, "status": service.status}
    out["organization_id"] = service.organization_id
    for key, name in _SERVICE_TEXT.items():
        _put(out, key, getattr(service, name))
    _put(out, "minimum_age", service.minimum_age)
    _put(out, "maximum_age", service.maximum_age)
    _put(out, "assured_date", _iso(service.assured_date))
    _put(out, "last_modified", _iso(service.last_modified))
    out["organization"] = organization_to_oruk(service.organization)
    attributes = [
        _attribute(a.id, service.id, a.taxonomy_term, a.taxonomy_term_id)
        for a in sorted(service.attributes.all(), key=lambda a: a.id)
    ]
    for a, row in zip(sorted(service.attributes.all(), key=lambda a: a.id), attributes, strict=True):
        _put(row, "value", a.value)
        _put(row, "label", a.label)
    if service.eligible_sex:
        term = SEX_TERMS[EligibleSex(service.eligible_sex)]
        attributes.append(_attribute(f"{service.id}-{term}", service.id, None, term))
    if service.open_bank_holidays:
        attributes.append(
            _attribute(f"{service.id}-{OPEN_BANK_HOLIDAYS}", service.id, None, OPEN_BANK_HOLIDAYS)
        )
    out["attributes"] = attributes
    out["schedules"] = [_schedule_to_oruk(s) for s in sorted(service.schedules.all(), key=lambda s: s.id)]
    out["service_areas"] = [_area_to_oruk(a) for a in sorted(service.service_areas.all(), key=lambda a: a.id)]
    out["service_at_locations"] = [
        service_at_location_to_oruk(sal)
        for sal in sorted(service.service_at_locations.all(), key=lambda s: s.id)
    ]
    out["contacts"] = [_contact_to_oruk(c) for c in sorted(service.contacts.all(), key=lambda c: c.id)]
    phones = [_phone_to_oruk(p) for p in sorted(service.phones.all(), key=lambda p: p.id)]
    if phones:
        out["phones"] = phones
    out["cost_options"] = [_cost_to_oruk(c) for c in sorted(service.cost_options.all(), key=lambda c: c.id)]
    out["languages"] = [
        _language_to_oruk(lang) for lang in sorted(service.languages.all(), key=lambda x: x.id)
    ]
    return out


def _schedule_to_oruk(schedule: Schedule) -> dict[str, Any]:
    out: dict[str, Any] = {**schedule.extra, "id": schedule.id, "service_id": schedule.service_id}
    _put(out, "valid_from", _iso(schedule.valid_from))
    _put(out, "valid_to", _iso(schedule.valid_to))
    _put(out, "freq", schedule.freq)
    _put(out, "interval", schedule.interval)
    _put(out, "byday", schedule.byday)
    _put(out, "bymonthday", schedule.bymonthday)
    _put(out, "opens_at", schedule.opens_at.strftime("%H:%M") if schedule.opens_at else None)
    _put(out, "closes_at", schedule.closes_at.strftime("%H:%M") if schedule.closes_at else None)
    _put(out, "description", schedule.description)
    _put(out, "notes", schedule.notes)
    _put(out, "attending_type", schedule.attending_type)
    return out


def _area_to_oruk(area: ServiceArea) -> dict[str, Any]:
    out: dict[str, Any] = {"id": area.id, "service_id": area.service_id}
    _put(out, "name", area.name)
    _put(out, "service_area", area.description)
    _put(out, "extent", area.extent)
    _put(out, "extent_type", area.extent_type)
    _put(out, "uri", area.uri)
    _put(out, "postcode_prefixes", area.postcode_prefixes)
    return out


def _contact_to_oruk(contact: Contact) -> dict[str, Any]:
    out: dict[str, Any] = {"id": contact.id, "service_id": contact.service_id}
    _put(out, "name", contact.name)
    _put(out, "title", contact.title)
    _put(out, "department", contact.department)
    _put(out, "email", contact.email)
    out["phones"] = [_phone_to_oruk(p) for p in sorted(contact.phones.all(), key=lambda p: p.id)]
    return out


def _cost_to_oruk(cost: CostOption) -> dict[str, Any]:
    out: dict[str, Any] = {"id": cost.id, "service_id": cost.service_id}
    _put(out, "valid_from", _iso(cost.valid_from))
    _put(out, "valid_to", _iso(cost.valid_to))
    _put(out, "option", cost.option)
    _put(out, "amount", float(cost.amount) if cost.amount is not None else None)
    _put(out, "currency", cost.currency)
    _put(out, "amount_description", cost.amount_description)
    return out


def _language_to_oruk(language: Language) -> dict[str, Any]:
    out: dict[str, Any] = {"id": language.id, "service_id": language.service_id}
    _put(out, "name", language.name)
    _put(out, "code", language.code)
    _put(out, "note", language.note)
    return out
