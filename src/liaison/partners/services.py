"""Writes for justice partners: a referral to the team. Validated, all or nothing, and audited."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from liaison.core.audit import audit
from liaison.core.errors import NotPermitted
from liaison.core.models import Site, Team, User
from liaison.core.permissions import can, role_in, teams_for
from liaison.episodes.models import PathwayPoint, ReferralSource
from liaison.episodes.services import episode_open, episode_prepared
from liaison.identification.models import FlagSource, VulnerabilityFlag
from liaison.identification.services import clean_flag_codes, pathway_point_for, record_episode_flags
from liaison.partners.models import SOURCE_CODES, PartnerReferral, PartnerSource, Urgency
from liaison.people.models import Person
from liaison.people.services import person_create

REFER = "partners.refer"
REASON_LIMIT = 2000
CONTACT_LIMIT = 200
# Crockford-style: no 0/O, 1/I/L or U, so a reference read over the phone is not misheard.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def referral_sites(actor: User, team: Team | int) -> list[Site]:
    """The team's open sites a partner may refer to, by name."""
    team_id = team if isinstance(team, int) else team.pk
    if team_id not in teams_for(actor, REFER):
        return []
    return list(Site.objects.filter(team_id=team_id, active=True).order_by("name"))


def new_reference() -> str:
    """A reference the partner can quote, like LD-7K3M-9QXA. Random, so it says nothing about volumes."""
    for _ in range(20):
        raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        reference = f"LD-{raw[:4]}-{raw[4:]}"
        if not PartnerReferral.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("could not find a free referral reference")  # pragma: no cover - 30**8 values


@transaction.atomic
def referral_create(
    *,
    actor: User,
    team: Team,
    site_id: int | None,
    given_name: str,
    family_name: str,
    reason: str,
    urgency: str,
    source: str,
    date_of_birth: dt.date | None = None,
    nhs_number: str = "",
    pnc_id: str = "",
    flag_codes: Iterable[str] = (),
    referrer_contact: str = "",
) -> PartnerReferral:
    """A justice partner refers a person to the team.

    Creates the person (the team links duplicates later) and an episode at identified, with the
    partner's source of referral and any vulnerabilities they noticed. Every problem is reported
    at once, and nothing is saved unless everything is right.
    """
    if not can(actor, REFER, team):
        raise NotPermitted("Only justice partners in this team can send it a referral")
    role = role_in(actor, team) or ""
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    referrer_contact = " ".join((referrer_contact or "").split())
    if not reason:
        errors["reason"] = "Enter why you are referring the person"
    elif len(reason) > REASON_LIMIT:
        errors["reason"] = f"Reason must be {REASON_LIMIT:,} characters or fewer"
    if urgency not in Urgency.values:
        errors["urgency"] = "Select how urgent the referral is"
    if source not in PartnerSource.values:
        errors["source"] = "Select who is referring the person"
    if len(referrer_contact) > CONTACT_LIMIT:
        errors["referrer_contact"] = f"Contact details must be {CONTACT_LIMIT} characters or fewer"
    flags: list[VulnerabilityFlag] = []
    try:
        flags = clean_flag_codes(flag_codes)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    person: Person | None = None
    person_fields: dict[str, Any] = {
        "given_name": given_name,
        "family_name": family_name,
        "date_of_birth": date_of_birth,
        "nhs_number": nhs_number,
        "pnc_id": pnc_id,
    }
    try:
        person = person_create(actor=actor, team_id=team.pk, role=role, **person_fields)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    site = Site.objects.filter(pk=site_id, team=team, active=True).first() if site_id else None
    episode_fields: dict[str, Any] = {
        "site_id": site_id or 0,
        "pathway_point": pathway_point_for(site) if site else PathwayPoint.POLICE_CUSTODY,
        "referral_source": SOURCE_CODES.get(source, ReferralSource.OTHER),
        "arrival_at": timezone.now(),
        "operation": REFER,
    }
    try:
        if person is None or errors:
            # Only checked, so every problem is reported at once (with a stand-in for a refused person).
            stand_in = Person(given_name="-", family_name="-", date_of_birth=date_of_birth)
            episode_prepared(actor=actor, team=team, person=person or stand_in, **episode_fields)
            raise ValidationError({})
        episode = episode_open(actor=actor, team=team, person=person, **episode_fields)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages[0])
        raise ValidationError(errors) from None
    assert person is not None and site is not None  # noqa: S101 - episode_open refuses otherwise
    referral = PartnerReferral.objects.create(
        reference=new_reference(),
        team=team,
        site=site,
        referred_by=actor,
        source=source,
        urgency=urgency,
        reason=reason,
        referrer_contact=referrer_contact,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        nhs_number=person.nhs_number,
        pnc_id=person.pnc_id,
        person=person,
        episode=episode,
    )
    referral.flags.set(flags)
    record_episode_flags(
        episode=episode,
        flags=flags,
        source=FlagSource.PARTNER,
        raised_by=actor,
        note=f"Referral {referral.reference}",
    )
    audit(
        actor=actor,
        action="referral.create",
        person_id=person.pk,
        team_id=team.pk,
        role=role,
        object_type="partner_referral",
        object_id=referral.pk,
        detail={
            "reference": referral.reference,
            "episode_id": episode.pk,
            "urgency": urgency,
            "source": source,
            "flags": [f.code for f in flags],
        },
    )
    return referral
