"""The weight tables behind the synthetic data: who is seen where, how episodes go, what gets recorded.

Plain data, in one place, so the shape of the demo data set can be read (and tuned) without reading the
generator. Weights are relative, not percentages; docs/seed.md summarises them.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from bisect import bisect
from collections.abc import Mapping
from itertools import accumulate
from typing import TypeVar

from django.utils import timezone

from liaison.core.models import Role, SiteKind
from liaison.episodes.models import (
    AgeGroup,
    Channel,
    ClosureReason,
    JusticeOutcome,
    OffenceCategory,
    PathwayPoint,
    ReferralSource,
    Stage,
)
from liaison.people.models import Ethnicity, Sex

T = TypeVar("T")
MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR

PATHWAY_FOR_KIND = {
    SiteKind.POLICE_CUSTODY: PathwayPoint.POLICE_CUSTODY,
    SiteKind.VOLUNTARY_ATTENDANCE: PathwayPoint.VOLUNTARY_ATTENDANCE,
    SiteKind.MAGISTRATES: PathwayPoint.MAGISTRATES,
    SiteKind.CROWN: PathwayPoint.CROWN,
    SiteKind.YOUTH_COURT: PathwayPoint.YOUTH_COURT,
    SiteKind.PROBATION: PathwayPoint.PROBATION,
    SiteKind.STREET_TRIAGE: PathwayPoint.STREET_TRIAGE,
}
SITE_KIND_WEIGHTS = {
    AgeGroup.ADULT: {
        SiteKind.POLICE_CUSTODY: 56,
        SiteKind.MAGISTRATES: 17,
        SiteKind.CROWN: 4,
        SiteKind.VOLUNTARY_ATTENDANCE: 7,
        SiteKind.PROBATION: 6,
        SiteKind.STREET_TRIAGE: 10,
    },
    AgeGroup.YOUTH: {
        SiteKind.POLICE_CUSTODY: 55,
        SiteKind.YOUTH_COURT: 33,
        SiteKind.VOLUNTARY_ATTENDANCE: 6,
        SiteKind.STREET_TRIAGE: 6,
    },
}
R = ReferralSource
REFERRAL_WEIGHTS = {
    SiteKind.POLICE_CUSTODY: {R.PROACTIVE: 60, R.POLICE: 30, R.SOCIAL_SERVICES: 3, R.CARER: 2, R.PRISON: 1},
    SiteKind.VOLUNTARY_ATTENDANCE: {R.POLICE: 60, R.PROACTIVE: 20, R.GP: 5, R.SOCIAL_SERVICES: 5, R.SELF: 5},
    SiteKind.MAGISTRATES: {R.PROACTIVE: 45, R.COURTS: 30, R.COURT_LD: 10, R.PROBATION: 10, R.OTHER: 5},
    SiteKind.CROWN: {R.COURTS: 50, R.PROACTIVE: 25, R.PROBATION: 15, R.COURT_LD: 10},
    SiteKind.YOUTH_COURT: {R.PROACTIVE: 35, R.YOUTH_OFFENDING: 35, R.COURTS: 20, R.SOCIAL_SERVICES: 10},
    SiteKind.PROBATION: {R.PROBATION: 80, R.COURTS: 10, R.PROACTIVE: 10},
    SiteKind.STREET_TRIAGE: {R.POLICE: 80, R.HOUSING: 5, R.VOLUNTARY: 5, R.SELF: 5, R.CARER: 5},
}
OC = OffenceCategory
OFFENCE_WEIGHTS = {
    OC.VIOLENCE: 26, OC.SEXUAL: 4, OC.ROBBERY: 3, OC.THEFT: 18, OC.CRIMINAL_DAMAGE: 8, OC.DRUGS: 10,
    OC.WEAPONS: 5, OC.PUBLIC_ORDER: 9, OC.FRAUD: 2, OC.MOTORING: 4, OC.BREACH: 7, OC.OTHER: 3,
    OC.NOT_KNOWN: 1,
}  # fmt: skip
TRIAGE_OFFENCE_WEIGHTS = {OC.NOT_KNOWN: 60, OC.PUBLIC_ORDER: 20, OC.OTHER: 20}

# How far an episode goes before it is closed, by whether the person has any mental health problem.
CLOSE_AFTER_WEIGHTS = {
    False: {Stage.IDENTIFIED: 30, Stage.SCREENED: 45, Stage.ASSESSED: 20, Stage.SUPPORT: 5},
    True: {Stage.IDENTIFIED: 14, Stage.SCREENED: 16, Stage.ASSESSED: 35, Stage.SUPPORT: 35},
}
C = ClosureReason
CLOSURE_WEIGHTS = {
    Stage.IDENTIFIED: {C.NOT_SEEN: 55, C.DECLINED: 20, C.NO_FURTHER_NEED: 17, C.TRANSFERRED: 8},
    Stage.SCREENED: {C.NO_FURTHER_NEED: 60, C.DECLINED: 20, C.NOT_SEEN: 15, C.TRANSFERRED: 5},
    Stage.ASSESSED: {
        C.CONNECTED: 40, C.NO_FURTHER_NEED: 30, C.PRISON: 12, C.DECLINED: 10, C.TRANSFERRED: 5, C.OTHER: 3,
    },
    Stage.SUPPORT: {C.CONNECTED: 50, C.LOST_CONTACT: 20, C.PRISON: 10, C.DECLINED: 10, C.OTHER: 9, C.DIED: 1},
}  # fmt: skip
# How long after the last stage reached an episode is closed.
CLOSE_DELAYS: dict[str, tuple[float, float]] = {
    Stage.IDENTIFIED: (30 * MINUTE, 2 * DAY),
    Stage.SCREENED: (30 * MINUTE, 3 * DAY),
    Stage.ASSESSED: (DAY, 28 * DAY),
    Stage.SUPPORT: (14 * DAY, 180 * DAY),
}
J = JusticeOutcome
POLICE_OUTCOMES = {
    J.NFA: 20,
    J.RUI: 20,
    J.POLICE_BAIL: 8,
    J.OUT_OF_COURT: 14,
    J.CHARGED_BAILED: 22,
    J.NOT_KNOWN: 8,
}
TRIAGE_OUTCOMES = {J.NFA: 55, J.OUT_OF_COURT: 5, J.NOT_KNOWN: 40}
COURT_OUTCOMES = {
    J.DISCHARGED: 8, J.FINE: 12, J.COMMUNITY_ORDER: 24, J.COMMUNITY_ORDER_MHTR: 8, J.SUSPENDED: 12,
    J.HOSPITAL: 2, J.NOT_KNOWN: 14,
}  # fmt: skip
PROBATION_OUTCOMES = {
    J.COMMUNITY_ORDER: 40,
    J.COMMUNITY_ORDER_MHTR: 15,
    J.SUSPENDED: 20,
    J.FINE: 5,
    J.NOT_KNOWN: 15,
}
POLICE_KINDS = frozenset({SiteKind.POLICE_CUSTODY, SiteKind.VOLUNTARY_ATTENDANCE})
COURT_KINDS = frozenset({SiteKind.MAGISTRATES, SiteKind.CROWN, SiteKind.YOUTH_COURT})

# Custody arrivals by hour of the day: quiet before dawn, busiest afternoon and evening.
ARRIVAL_HOUR_WEIGHTS = (3, 2, 2, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 5, 5, 4)

CHANNEL_WEIGHTS = {
    Channel.PHONE: 35, Channel.IN_PERSON: 20, Channel.TEXT: 15, Channel.OUTREACH: 12, Channel.DROP_IN: 8,
    Channel.LETTER: 5, Channel.VIDEO: 3, Channel.EMAIL: 2,
}  # fmt: skip
CHANNEL_SUCCESS = {
    Channel.PHONE: 0.65, Channel.IN_PERSON: 0.95, Channel.TEXT: 0.7, Channel.OUTREACH: 0.6,
    Channel.DROP_IN: 0.9, Channel.LETTER: 0.5, Channel.VIDEO: 0.85, Channel.EMAIL: 0.6,
}  # fmt: skip
CONTACT_NOTES = {
    (Channel.PHONE, True): (
        "Phone call: doing OK, next appointment confirmed.",
        "Phoned; agreed next steps.",
    ),
    (Channel.PHONE, False): ("No answer; voicemail left.", "Phone switched off."),
    (Channel.IN_PERSON, True): (
        "Seen in person; talked through how things are going.",
        "Met at the team base.",
    ),
    (Channel.IN_PERSON, False): ("Arrived for the appointment; person did not attend.",),
    (Channel.TEXT, True): ("Replied to text; confirmed appointment.",),
    (Channel.TEXT, False): ("Text sent; no reply.",),
    (Channel.OUTREACH, True): ("Found on outreach visit; brief check-in and food bank voucher given.",),
    (Channel.OUTREACH, False): ("Outreach visit: not found at last known address.",),
    (Channel.DROP_IN, True): ("Came to the drop-in; help with forms.",),
    (Channel.DROP_IN, False): ("Expected at the drop-in; did not come.",),
    (Channel.LETTER, True): ("Replied to appointment letter.",),
    (Channel.LETTER, False): ("Letter returned: not known at this address.",),
    (Channel.VIDEO, True): ("Video call with the person and their key worker.",),
    (Channel.VIDEO, False): ("Video link sent; not joined.",),
    (Channel.EMAIL, True): ("Email reply received.",),
    (Channel.EMAIL, False): ("Email sent; no reply.",),
}
TASKS_BY_ROLE = {
    Role.PRACTITIONER: (
        "Follow up referral to community mental health team",
        "Send liaison report to probation",
        "Chase court outcome",
        "Review crisis plan with the person",
        "Check GP registration and book an appointment",
    ),
    Role.SUPPORT_WORKER: (
        "Accompany to substance misuse service assessment",
        "Outreach visit: no contact for 14 days",
        "Check in by phone after court hearing",
        "Invite to the Thursday drop-in",
    ),
    Role.ADVISER: (
        "Book housing options appointment",
        "Help with Universal Credit claim",
        "Replace lost ID and open a basic bank account",
        "Apply for a food bank voucher",
    ),
}
REVIEW_TASK = "Review custody record and decide on screening"

# --- today's custody list ----------------------------------------------------------------------

# Arrivals on the demo team's custody list: how many in all, over how many hours before "now".
CUSTODY_LIST_SIZE = (17, 23)
CUSTODY_LIST_HOURS = 12
# How many of them the night shift has already looked at: reviewed with no concerns, and flagged but
# with no episode opened yet. People the team already knows (closed episodes) turn up again too.
CUSTODY_LIST_NO_CONCERNS = 3
CUSTODY_LIST_FLAGGED = 2
CUSTODY_LIST_KNOWN = 2
# The reason for arrest as a custody record writes it.
ALLEGED_OFFENCES = {
    "Theft from a shop": 12, "Assault by beating": 9, "Assault occasioning actual bodily harm": 5,
    "Assault on an emergency worker": 3, "Criminal damage": 7,
    "Possession of a controlled drug (class A)": 4, "Possession with intent to supply (class B)": 3,
    "Drunk and disorderly": 5, "Section 4 Public Order Act": 4, "Breach of bail conditions": 5,
    "Wanted on warrant (failed to appear)": 4, "Burglary (dwelling)": 3, "Robbery": 2,
    "Possession of a bladed article": 3, "Drink driving": 3, "Harassment": 3,
    "Breach of a non-molestation order": 2, "Theft of a motor vehicle": 2, "Arson": 1,
}  # fmt: skip
# The custody officer's warning markers, as typed: some match the vulnerability code list whole
# (MH, self harm, drugs, NFA, juvenile...), some are the officer's own words and match nothing.
OFFICER_FLAGS = {
    "": 48, "MH": 8, "MH; self harm": 5, "Suicidal": 2, "Self harm / ligature": 2, "Drugs; withdrawal": 4,
    "Alcohol": 5, "Drunk": 3, "NFA": 4, "MH; NFA; alcohol": 2, "LD": 2, "Epileptic; meds": 2,
    "Diabetic": 2, "ADHD": 2, "Ex-forces": 1, "Violent": 3, "Weapons": 2, "Deaf": 1, "Autistic": 1,
    "Head injury": 1,
}  # fmt: skip
# What the practitioner who flagged an arrival saw (on top of any flags from the officer's markers).
FLAGGED_REVIEWS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("mental_health",),
        "Custody nurse says low mood and not eating; known to the crisis team last year.",
    ),
    (
        ("mental_health", "self_harm_suicide"),
        "Old scars on both arms; says they have had thoughts of ending it.",
    ),
    (
        ("learning_disability", "speech_communication"),
        "Struggled to follow the custody rights; needs an appropriate adult.",
    ),
    (
        ("substance_use", "physical_health"),
        "Withdrawing from heroin; custody nurse has asked for an opiate substitute.",
    ),
)

# --- people ------------------------------------------------------------------------------------

AGE_BANDS = ((10, 13, 1.5), (14, 17, 10.5), (18, 24, 18), (25, 34, 27), (35, 44, 21), (45, 54, 12),
             (55, 64, 6), (65, 80, 4))  # fmt: skip
MAX_AGE = 80
HISTORY_DAYS = 3 * 365
SEX_WEIGHTS = {Sex.MALE: 84, Sex.FEMALE: 15.5, Sex.INDETERMINATE: 0.2, Sex.NOT_KNOWN: 0.3}
E = Ethnicity
ETHNICITY_WEIGHTS = {
    E.WHITE_BRITISH: 65.5, E.WHITE_IRISH: 1, E.WHITE_OTHER: 8, E.MIXED_WHITE_BLACK_CARIBBEAN: 3,
    E.MIXED_WHITE_BLACK_AFRICAN: 1, E.MIXED_WHITE_ASIAN: 1, E.MIXED_OTHER: 1.5, E.ASIAN_INDIAN: 1.5,
    E.ASIAN_PAKISTANI: 3, E.ASIAN_BANGLADESHI: 1, E.ASIAN_OTHER: 1.5, E.BLACK_CARIBBEAN: 3,
    E.BLACK_AFRICAN: 3.5, E.BLACK_OTHER: 1.5, E.CHINESE: 0.5, E.OTHER: 2, E.NOT_STATED: 0.5, E.NOT_KNOWN: 0.5,
}  # fmt: skip
# First languages other than English, by ethnic category: (chance, languages).
LANGUAGES: dict[str, tuple[float, tuple[str, ...]]] = {
    E.WHITE_OTHER: (0.35, ("Polish", "Romanian", "Lithuanian", "Portuguese", "Albanian", "Bulgarian")),
    E.BLACK_AFRICAN: (0.15, ("Somali", "Tigrinya", "Amharic", "Arabic", "French")),
    E.OTHER: (0.3, ("Arabic", "Kurdish (Sorani)", "Farsi", "Turkish", "Spanish")),
    E.ASIAN_OTHER: (0.25, ("Vietnamese", "Tamil", "Nepali", "Pashto", "Dari", "Tagalog")),
    E.ASIAN_PAKISTANI: (0.08, ("Urdu", "Punjabi")),
    E.ASIAN_BANGLADESHI: (0.12, ("Bengali", "Sylheti")),
    E.ASIAN_INDIAN: (0.06, ("Punjabi", "Gujarati")),
    E.CHINESE: (0.25, ("Cantonese", "Mandarin")),
}  # fmt: skip
COMMUNICATION_NEEDS = (
    ("Easy read materials; explain one step at a time.", True),
    ("Learning disability: easy read and extra time.", True),
    ("Dyslexia: read documents aloud.", False),
    ("Autistic: prefers a quiet room and a written summary.", False),
    ("Speech and language difficulties: check understanding.", False),
    ("Hard of hearing: face them when speaking.", False),
)
KIN_NOTES = (
    "Mother",
    "Father",
    "Partner",
    "Sister",
    "Brother",
    "Friend",
    "Aunt",
    "Grandmother",
    "Son",
    "Daughter",
)
PARENT_NOTES = ("Mother", "Father", "Grandmother", "Foster carer", "Aunt", "Stepfather")


def pick(rng: random.Random, weights: Mapping[T, float]) -> T:
    """A weighted choice, independent of dict-ordering surprises (keys keep insertion order).

    Exactly `rng.choices(list(weights), weights=list(weights.values()))[0]`: the same one draw from
    `rng` and the same arithmetic, so the same choice, without choices' general-purpose overhead (the
    generators make hundreds of thousands of these a chunk; tests/demo/test_tables.py compares)."""
    cumulative = list(accumulate(weights.values()))
    total = cumulative[-1] + 0.0
    if not 0.0 < total < math.inf:
        raise ValueError(f"weights must add up to a positive, finite total: {total}")
    return list(weights)[bisect(cumulative, rng.random() * total, 0, len(cumulative) - 1)]


def local(moment: dt.datetime) -> dt.datetime:
    """`moment` in the service's own zone (settings.TIME_ZONE). What timezone.localtime gives outside a
    request, where no other zone is active (the generators), without its per-call lookup of one.
    Refuses a naive time, as localtime does (astimezone would read it in the machine's zone)."""
    if moment.tzinfo is None:
        raise ValueError(f"a time without a zone has no local time: {moment.isoformat()}")
    return moment.astimezone(timezone.get_default_timezone())


def local_day(moment: dt.datetime) -> dt.date:
    """The day `moment` falls on in the service's own zone (timezone.localdate, as `local` above)."""
    return local(moment).date()


def seconds(rng: random.Random, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(seconds=int(rng.uniform(low, high)))
