"""Reads of partner referrals, scoped: a partner reads back only what they sent (never the team's
person or episode), and the referral's team reads it when it may see the person. Other users get
404, audited, exactly as for a missing referral."""

from __future__ import annotations

from django.db.models import QuerySet

from liaison.core.access import deny, person_access, record_id_or_deny
from liaison.core.audit import audit
from liaison.core.models import CLINICAL_ROLES, User
from liaison.core.permissions import can, role_in, teams_for
from liaison.episodes.models import Episode
from liaison.partners.models import PartnerReferral

REFER = "partners.refer"


def sent_referrals(user: User) -> QuerySet[PartnerReferral]:
    """The referrals the user sent, to teams they are still a partner in, newest first."""
    return (
        PartnerReferral.objects.filter(referred_by=user, team_id__in=teams_for(user, REFER))
        .select_related("site")
        .prefetch_related("flags")
        .order_by("-sent_at", "-pk")
    )


def get_referral_for_user(
    user: User, pk: object, *, action: str = "referral.view"
) -> tuple[PartnerReferral, str]:
    """The referral and how the user reaches it: "sender" (what they sent, nothing more) or "team"."""
    referral_id = record_id_or_deny(user, pk, "partner_referral")
    referral = (
        PartnerReferral.objects.filter(pk=referral_id)
        .select_related("site", "team", "referred_by")
        .prefetch_related("flags")
        .first()
    )
    via = ""
    if referral is not None:
        if referral.referred_by_id == user.pk and can(user, REFER, referral.team_id):
            via = "sender"
        elif (
            role_in(user, referral.team_id) in CLINICAL_ROLES
            and person_access(user, referral.person_id).allowed
        ):
            via = "team"
    if referral is None or not via:
        raise deny(
            user,
            object_type="partner_referral",
            object_id=referral_id,
            person_id=referral.person_id if referral is not None else None,
        )
    audit(
        actor=user,
        action=action,
        person_id=referral.person_id,
        team_id=referral.team_id,
        role=role_in(user, referral.team_id) or "",
        object_type="partner_referral",
        object_id=referral.pk,
        detail={"via": via},
    )
    return referral, via


def episode_referral(episode: Episode) -> PartnerReferral | None:
    """The partner referral an episode (already fetched through core.access) came from, if any."""
    return (
        PartnerReferral.objects.filter(episode=episode)
        .select_related("referred_by")
        .prefetch_related("flags")
        .first()
    )
