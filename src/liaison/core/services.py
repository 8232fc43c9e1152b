"""Writes owned by core: break-the-glass grants, deactivating an account."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.core.audit import audit
from liaison.core.errors import NotPermitted
from liaison.core.models import BreakGlass, Membership, Team, User
from liaison.core.permissions import can, role_in
from liaison.core.signin import sessions_end_for_user
from liaison.monitoring.services import privacy_alert_for_grant
from liaison.people.models import Person

BREAK_GLASS_REASON_MIN = 10


def break_glass_grant(*, actor: User, team: Team, person_id: int, reason: str) -> BreakGlass:
    """Open a person's record outside the team's relationship for BREAK_GLASS_MINUTES, with a reason.

    The reason is checked before the person is looked up, so nobody learns whether a Liaison ID
    exists without first saying (on the record) why they want it. A refused attempt is audited
    too: it is the pattern a reviewer most needs to see.
    """
    if not can(actor, "core.break_glass", team):
        raise NotPermitted("Your role cannot break the glass for this team")
    role = role_in(actor, team) or ""
    reason = " ".join((reason or "").split())
    if len(reason) < BREAK_GLASS_REASON_MIN:
        raise ValidationError(
            {"reason": f"Reason must be at least {BREAK_GLASS_REASON_MIN} characters: say who asked and why"}
        )
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        audit(
            actor=actor,
            action="break_glass.refused",
            team_id=team.pk,
            role=role,
            object_type="person",
            object_id=person_id,
            reason=reason,
            detail={"why": "no person has this id"},
        )
        raise ValidationError(
            {"person_id": "No person has this Liaison ID. Check the number with whoever gave it to you."}
        )
    with transaction.atomic():
        now = timezone.now()
        grant = BreakGlass.objects.create(
            user=actor,
            team=team,
            person=person,
            reason=reason,
            granted_at=now,
            expires_at=now + dt.timedelta(minutes=settings.BREAK_GLASS_MINUTES),
        )
        audit(
            actor=actor,
            action="break_glass.grant",
            person_id=person.pk,
            team_id=team.pk,
            role=role,
            object_type="break_glass",
            object_id=grant.pk,
            reason=reason,
            detail={"expires_at": grant.expires_at.isoformat()},
        )
        privacy_alert_for_grant(grant=grant)  # the team lead's alert, at once (monitoring)
    return grant


def _require_account_manager(actor: User, user: User) -> None:
    """A superuser may manage anyone; a team lead or administrator, their team's members but no superuser."""
    user_teams = list(Membership.objects.filter(user=user).values_list("team_id", flat=True))
    allowed = actor.is_superuser or (
        not user.is_superuser and any(can(actor, "core.manage_accounts", team_id) for team_id in user_teams)
    )
    if not allowed:
        raise NotPermitted("Only a superuser, or a team lead or administrator in their team, can do this")


@transaction.atomic
def user_authenticator_reset(*, actor: User, user: User) -> int:
    """For a lost or replaced phone: remove the user's authenticator and end their sessions.

    They set up a new one the next time they sign in, with their password. Returns the sessions ended.
    """
    _require_account_manager(actor, user)
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    ended = sessions_end_for_user(user)
    audit(
        actor=actor,
        action="signin.second_factor_reset",
        object_type="user",
        object_id=user.pk,
        detail={"devices_removed": removed, "sessions_ended": ended},
    )
    return ended


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> int:
    """Stop `user` signing in and end every session they hold, at once. Returns the sessions ended.

    For a leaver, or an account thought compromised. A superuser may deactivate anyone; a team lead or
    administrator may deactivate members of their own team, except superusers. The account stays, so
    the audit trail and the records keep naming who did what; API tokens stop working with it.
    """
    _require_account_manager(actor, user)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    ended = sessions_end_for_user(user)
    audit(
        actor=actor,
        action="user.deactivate",
        object_type="user",
        object_id=user.pk,
        detail={"sessions_ended": ended},
    )
    return ended
