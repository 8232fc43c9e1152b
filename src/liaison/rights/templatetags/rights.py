"""The person page's part of the rights, as two inclusion tags the person page includes in one line each:

{% include "rights/includes/person_disputes.html" %}  details the person disputes, beside the personal details
{% include "rights/includes/person_rights.html" %}    links: history, corrections, disputes, subject access
{% include "rights/includes/person_retention.html" %} retention date, classes and holds; a destroyed stub

The person and how the user reached them (`access`) were fetched, and the read audited, by the page's
view. The disputes cost one query; the links one more, for team leads only.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from liaison.rights.destruction import may_propose
from liaison.rights.presenters import dispute_marks
from liaison.rights.queries import (
    holds_for,
    open_proposal,
    person_requests,
    standing_disputes,
)
from liaison.rights.retention import retention_panel
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


@register.inclusion_tag("rights/includes/person_retention_panel.html", takes_context=True)
def person_retention(context: template.Context) -> dict[str, Any]:
    """For a team lead, the retention panel (one query, plus the holds when there are any and the
    open proposal); for anyone, on a destroyed record's stub, the stub's only content. Nothing, and no
    query, for anyone else: retention is the team lead's (records management), not clinical work.

    A stub is recognised from the row the page already has: a live record always has a family name.
    """
    person, access = context["person"], context["access"]
    user = context["request"].user
    lead = access.via == "relationship" and may_propose(user, access.team_id)
    if not lead and person.family_name:
        return {"person": person, "hidden": True}
    panel = retention_panel(person)
    if panel.destruction is not None:
        classes = panel.destruction.classes
        names = ", ".join(str(c.get("name", c.get("code"))) for c in classes if c.get("date"))
        return {"person": person, "destruction": panel.destruction, "class_names": names}
    if not lead:
        return {"person": person, "hidden": True}
    return {
        "person": person,
        "retention": panel.retention,
        "holds": holds_for(person) if panel.any_holds else [],
        "may_propose": lead,
        "due": panel.retention.due(timezone.localdate()),
        "proposal": open_proposal(person),
    }
