"""The person page's part of the rights, as two inclusion tags the person page includes in one line each:

{% include "rights/includes/person_disputes.html" %}  details the person disputes, beside the personal details
{% include "rights/includes/person_rights.html" %}    links: history, corrections, disputes, subject access

The person and how the user reached them (`access`) were fetched, and the read audited, by the page's
view. The disputes cost one query; the links one more, for team leads only.
"""

from __future__ import annotations

from typing import Any

from django import template

from liaison.rights.presenters import dispute_marks
from liaison.rights.queries import person_requests, standing_disputes
from liaison.rights.services import CORRECT, SUBJECT_ACCESS, refusal_for

register = template.Library()


@register.inclusion_tag("rights/includes/person_disputes_panel.html", takes_context=True)
def person_disputes(context: template.Context) -> dict[str, Any]:
    person = context["person"]
    return {"person": person, "marks": dispute_marks(person, standing_disputes(person))}


@register.inclusion_tag("rights/includes/person_rights_panel.html", takes_context=True)
def person_rights(context: template.Context) -> dict[str, Any]:
    person, access = context["person"], context["access"]
    user = context["request"].user
    may_request = refusal_for(user, access, SUBJECT_ACCESS) is None
    return {
        "person": person,
        "may_correct": refusal_for(user, access, CORRECT) is None,
        "may_request": may_request,
        "requests": person_requests(person, access.team_id) if may_request and access.team_id else [],
    }
