"""How referrals are shown: the urgency as a tag, urgent always in red."""

from __future__ import annotations

from liaison.core.presenters import Tag
from liaison.partners.models import Urgency

URGENCY_TAGS = {
    Urgency.URGENT: Tag("Urgent", "red"),
    Urgency.SOON: Tag("Soon", "orange"),
    Urgency.ROUTINE: Tag("Routine", "grey"),
}


def urgency_tag(urgency: str) -> Tag:
    return URGENCY_TAGS.get(urgency, Tag(urgency or "Not given", "grey"))  # type: ignore[call-overload]
