"""Synthetic ORUK documents for the directory tests (made up; no real services)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "oruk"
if not SHARED.exists():  # a developer's checkout beside /work/shared
    SHARED = Path("/work/shared/data/oruk")


def service(number: int = 1, **changes: Any) -> dict[str, Any]:
    sid = f"svc-{number}"
    data: dict[str, Any] = {
        "id": sid,
        "name": f"Night Shelter {number}",
        "description": "Beds for people with nowhere to sleep tonight.",
        "status": "active",
        "url": "https://example.org/shelter",
        "email": "beds@example.org",
        "minimum_age": 18,
        "maximum_age": 65,
        "fees_description": "Free",
        "assurer_email": "checker@example.org",  # not modelled: kept in extra
        "organization": {
            "id": f"org-{number}",
            "name": f"Shelter Trust {number}",
            "description": "A housing charity.",
            "website": "https://example.org",
        },
        "attributes": [
            {
                "id": f"{sid}-attr-housing",
                "taxonomy_term_id": "liaison-needs-housing",
                "link_type": "service",
            },
            {"id": f"{sid}-women", "taxonomy_term_id": "liaison-eligibility-women-only"},
            {"id": f"{sid}-bh", "taxonomy_term_id": "liaison-eligibility-open-bank-holidays"},
        ],
        "schedules": [
            {
                "id": f"{sid}-sch-1",
                "freq": "WEEKLY",
                "byday": "MO,TU,WE,TH,FR,SA,SU",
                "opens_at": "20:00",
                "closes_at": "08:00",
                "description": "Every night",
                "dtstart": "2026-01-01",  # not modelled: kept in the schedule's extra
            }
        ],
        "service_areas": [
            {
                "id": f"{sid}-area-1",
                "name": "Leeds",
                "service_area": "Leeds district",
                "postcode_prefixes": "LS WF1",
            }
        ],
        "service_at_locations": [
            {
                "id": f"{sid}-sal-1",
                "location": {
                    "id": f"loc-{number}",
                    "location_type": "physical",
                    "name": "The hostel",
                    "latitude": 53.8,
                    "longitude": -1.55,
                    "external_identifier": "UPRN 1",
                    "addresses": [
                        {
                            "id": f"addr-{number}",
                            "address_1": "1 Park Row",
                            "city": "Leeds",
                            "state_province": "West Yorkshire",
                            "postal_code": "LS1 5AB",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
        "contacts": [
            {
                "id": f"{sid}-contact-1",
                "name": "Duty desk",
                "title": "Night manager",
                "email": "duty@example.org",
                "phones": [
                    {"id": f"{sid}-phone-1", "number": "0113 496 0000", "description": "Out of hours"}
                ],
            }
        ],
        "cost_options": [{"id": f"{sid}-cost-1", "option": "Bed", "amount": 0, "amount_description": "Free"}],
        "languages": [{"id": f"{sid}-lang-1", "name": "English", "code": "en"}],
    }
    data.update(changes)
    return data


def dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


def copy_of(value: Any) -> Any:
    return copy.deepcopy(value)


def v1_service() -> dict[str, Any]:
    """The older ORUK v1 shape (ExtendedDataPackage.json): regular_schedules, service_taxonomys, ..."""
    return {
        "id": "v1-svc",
        "name": "Drop-in Advice",
        "description": "Benefits advice without an appointment.",
        "url": "https://example.org/advice",
        "status": "active",
        "fees": "Free",
        "deliverable_type": "Advice",
        "organization": {
            "id": "v1-org",
            "name": "Advice Centre",
            "description": "Advice charity",
            "url": "https://example.org",
        },
        "eligibilitys": [{"id": "v1-elig", "eligibility": "adult", "minimum_age": 16, "maximum_age": 99}],
        "regular_schedules": [
            {"id": "v1-sch-1", "weekday": "Monday", "opens_at": "09:30:00", "closes_at": "16:00:00"},
            {"id": "v1-sch-2", "weekday": "Thursday", "opens_at": "09:30:00", "closes_at": "16:00:00"},
        ],
        "holiday_schedules": [
            {"id": "v1-hol-1", "closed": True, "start_date": "2026-12-25", "end_date": "2026-12-26"}
        ],
        "service_taxonomys": [
            {
                "id": "v1-st-1",
                "taxonomy": {
                    "id": "bccsvc-benefits",
                    "name": "Benefits advice",
                    "vocabulary": "BCCServiceCategory",
                },
            }
        ],
        "service_areas": [{"id": "v1-area", "service_area": "Bradford"}],
        "service_at_locations": [
            {
                "id": "v1-sal",
                "location": {
                    "id": "v1-loc",
                    "name": "Advice shop",
                    "latitude": 53.79,
                    "longitude": -1.75,
                    "physical_addresses": [
                        {
                            "id": "v1-addr",
                            "address_1": "2 Market St",
                            "city": "Bradford",
                            "state_province": "West Yorkshire",
                            "postal_code": "BD1 1AA",
                            "country": "GB",
                        }
                    ],
                },
            }
        ],
        "contacts": [
            {
                "id": "v1-contact",
                "name": "Reception",
                "phones": [{"id": "v1-phone", "number": "01274 000000"}],
            }
        ],
        "languages": [{"id": "v1-lang", "language": "Urdu"}],
    }
