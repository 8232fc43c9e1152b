"""The person page's merged records, as an inclusion tag the page includes in one line:

{% include "matching/includes/merged_records.html" %}

The person and how the user reached them were fetched, and the read audited, by the page's view. One
query for the merges into the record; one or two more, for team leads, to offer "Undo this merge".
"""

from __future__ import annotations

from typing import Any

from django import template

from liaison.matching.permissions import lead_team_for
from liaison.matching.queries import merges_into

register = template.Library()


@register.inclusion_tag("matching/includes/merged_records_panel.html", takes_context=True)
def merged_records(context: template.Context) -> dict[str, Any]:
    person = context["person"]
    merges = merges_into(person)
    may_unmerge = any(m.unmerged_at is None for m in merges) and (
        lead_team_for(context["request"].user, [person.pk]) is not None
    )
    return {"person": person, "merges": merges, "may_unmerge": may_unmerge}
