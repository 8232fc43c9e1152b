"""Writes for the team accounts page: deactivating a leaver's account, with the reason on record.

Kept apart from services.py because core.services imports that module (the break-glass hook), and
this one needs core.services: one module importing the other both ways would be a cycle.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from liaison.core.audit import audit
from liaison.core.errors import NotPermitted
from liaison.core.models import Membership, Team, User
from liaison.core.permissions import can, role_in
from liaison.core.services import user_deactivate
from liaison.monitoring.queries import MANAGE

REASON_MIN = 10
REASON_MAX = 1000


@transaction.atomic
def account_deactivate(*, actor: User, user: User, team: Team, reason: str) -> int:
    """Deactivate a member of `team` and end their sessions at once; returns the sessions ended.

    The team lead or administrator of the team, for anyone in it but themselves (locking yourself out
    needs a second person to notice) and superusers (managed by whoever runs the service).
    core.services.user_deactivate does the work and audits `user.deactivate`; the reason given here
    is audited beside it, with the team and role it was done in.
    """
    if not can(actor, MANAGE, team) or not Membership.objects.filter(user=user, team=team).exists():
        raise NotPermitted("Only the team lead or administrator of the person's team can deactivate them")
    if user.pk == actor.pk:
        raise NotPermitted(
            "You cannot deactivate your own account: ask another team lead or an administrator"
        )
    if user.is_superuser:
        raise NotPermitted("Superuser accounts are managed by the people who run the service, not from here")
    reason = " ".join((reason or "").split())
    if len(reason) < REASON_MIN:
        raise ValidationError({"reason": f"Reason must be at least {REASON_MIN} characters"})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Reason must be {REASON_MAX:,} characters or fewer"})
    ended = user_deactivate(actor=actor, user=user)
    audit(
        actor=actor,
        action="user.deactivate_reason",
        team_id=team.pk,
        role=role_in(actor, team) or "",
        object_type="user",
        object_id=user.pk,
        reason=reason,
        detail={"sessions_ended": ended},
    )
    return ended
