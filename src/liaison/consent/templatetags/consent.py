"""Template tags for consent and sharing on other pages, and its labels.

{% person_consent person %}   the person page's "Consent and sharing" and "Information shared" sections
"""

from __future__ import annotations

from typing import Any

from django import template

from liaison.consent import queries
from liaison.consent.models import ContentKind, Disclosure
from liaison.people.models import Person

register = template.Library()

NEWEST = 5
CONTENT_LABELS = dict(ContentKind.choices)


@register.filter
def content_labels(kinds: list[str] | None) -> str:
    """["recommendations", "needs_summary"] -> "Recommendations only, a summary of needs"."""
    words = [str(CONTENT_LABELS.get(kind, kind)) for kind in kinds or []]
    text = ", ".join(w if i == 0 else w[:1].lower() + w[1:] for i, w in enumerate(words))
    return text or "None"


@register.filter
def basis_label(disclosure: Disclosure) -> str:
    if disclosure.basis == "lawful_basis":
        basis = disclosure.sharing_basis
        named = f": {basis.get_basis_display().lower()}" if basis is not None else ""
        return f"Without consent, lawful basis approved by a team lead{named}"
    return "The person's consent"


@register.inclusion_tag("consent/includes/person_sections.html", takes_context=True)
def person_consent(context: template.Context, person: Person) -> dict[str, Any]:
    # Two bounded queries: the team's current agreements (one), the newest disclosures (one).
    access = context["access"]
    newest = queries.newest_disclosures(person, NEWEST)
    return {
        "person": person,
        "summary": queries.consent_summary(person, int(access.team_id or 0)),
        "disclosures": newest[:NEWEST],
        "more": len(newest) > NEWEST,
    }
