"""Liaison's own taxonomies, carried in the directory as ORUK taxonomies so they export and import.

- "liaison-needs": one term per assessment need (code = the need key, "housing" or
  "basic:sleep_tonight"). Matching finds services for a need through these terms (and through any
  other directory's terms mapped to a need in data/need_terms.json).
- "liaison-eligibility": local eligibility that ORUK 3.0 has no field for (women only, men only,
  open on bank holidays), exported as attributes so a round trip keeps it.
"""

from __future__ import annotations

from liaison.assessment.codes import codes
from liaison.directory.models import Taxonomy, TaxonomyTerm

NEEDS_TAXONOMY_ID = "liaison-needs"
ELIGIBILITY_TAXONOMY_ID = "liaison-eligibility"


def need_term_id(need_key: str) -> str:
    """ "basic:sleep_tonight" -> "liaison-needs-basic-sleep-tonight"."""
    return f"{NEEDS_TAXONOMY_ID}-{need_key.replace(':', '-').replace('_', '-')}"


def need_labels() -> dict[str, str]:
    """Every need key with its label, domains first, in code-list order."""
    needs = codes()
    return {key: needs.label(key) for key in needs.keys}


def ensure_needs_taxonomy() -> None:
    """Create (or bring up to date) the Liaison needs taxonomy and its terms. Idempotent."""
    taxonomy, _ = Taxonomy.objects.update_or_create(
        id=NEEDS_TAXONOMY_ID,
        defaults={
            "name": "Liaison needs",
            "description": "Needs an L&D assessment rates; a service tagged with one meets it.",
            "version": "2026-11",
        },
    )
    for key, label in need_labels().items():
        TaxonomyTerm.objects.update_or_create(
            id=need_term_id(key),
            defaults={
                "code": key,
                "name": label,
                "description": f"Meets the need: {label}",
                "taxonomy": taxonomy,
            },
        )
