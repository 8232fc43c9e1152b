"""The kinds of service in the synthetic directory, their names, opening patterns and phrases.

Written for this generator; every name is invented (no real charity, trust or brand), though the
kinds are what an L&D team in England refers to. `{town}`, `{place}` and `{adj}` in a name are filled
from the area's town, a made-up neighbourhood and a made-up word for a charity's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

T = dt.time
EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"
WEEKDAYS = "MO,TU,WE,TH,FR"

# Opening patterns: (byday, opens, closes) rows; a closing time before the opening one runs past midnight.
PATTERNS: dict[str, tuple[tuple[str, dt.time, dt.time], ...]] = {
    "24h": ((EVERY_DAY, T(0, 0), T(23, 59)),),
    "night": ((EVERY_DAY, T(20, 0), T(8, 0)),),
    "late_evening": ((EVERY_DAY, T(18, 0), T(1, 0)),),
    "weekend_nights": (("FR,SA", T(22, 0), T(4, 0)),),
    "office": ((WEEKDAYS, T(9, 0), T(17, 0)),),
    "office_short_friday": (("MO,TU,WE,TH", T(9, 0), T(17, 0)), ("FR", T(9, 0), T(16, 30))),
    "office_and_saturday": ((WEEKDAYS, T(9, 0), T(17, 0)), ("SA", T(10, 0), T(13, 0))),
    "office_and_evenings": ((WEEKDAYS, T(9, 0), T(17, 0)), ("TU,TH", T(17, 30), T(20, 0))),
    "early_day": ((WEEKDAYS, T(8, 30), T(15, 0)),),
    "extended": ((EVERY_DAY, T(8, 0), T(22, 0)),),
    "weekday_dropin": (("TU,TH", T(10, 0), T(13, 0)),),
    "three_days": (("MO,WE,FR", T(12, 0), T(14, 0)),),
    "weekend_dropin": (("SA,SU", T(10, 0), T(14, 0)),),
    "sunday_supper": (("SU", T(17, 0), T(19, 0)),),
    "after_school": ((WEEKDAYS, T(15, 30), T(20, 0)), ("SA", T(11, 0), T(16, 0))),
    "one_evening": (("TU", T(18, 0), T(20, 0)),),
    "unknown": (),  # no opening times known
}
# Patterns whose services are open on bank holidays too (the rest mostly close).
ALWAYS_OPEN = frozenset({"24h", "night", "late_evening", "weekend_nights"})


@dataclass(frozen=True, eq=False)  # hashed by identity: a key in weighted choices
class Kind:
    code: str
    names: tuple[str, ...]
    needs: tuple[str, ...]  # the first is always tagged; one or two more of the rest may be
    patterns: dict[str, float]  # opening pattern -> weight
    org: str  # "council", "nhs", "charity" or "pharmacy"
    weight: float  # how common, among the services drawn after the core set
    ages: tuple[tuple[int | None, int | None], ...] = ((18, None), (None, None))
    women_only: float = 0.0
    men_only: float = 0.0
    virtual: bool = False  # a phone or online service: no physical location
    description: str = ""
    application: str = "Self-referral or referral by a professional, by phone or email."


KINDS: tuple[Kind, ...] = (
    Kind(
        "crisis_line",
        (
            "{town} Mental Health Crisis Line",
            "Lantern Listening Line",
            "Nightwatch Support Line",
            "{adj} Helpline",
        ),
        ("mental_health", "risk_to_self"),
        {"24h": 1},
        "nhs",
        3,
        ages=((None, None), (16, None)),
        virtual=True,
        description="Round-the-clock phone support for anyone in mental health crisis, and for people "
        "worried about them. Can arrange a same-day assessment by the crisis team.",
        application="Call any time; professionals can ring on the person's behalf with their agreement.",
    ),
    Kind(
        "night_shelter",
        ("{adj} Night Shelter", "{town} Winter Night Shelter", "{place} Nightstop", "{adj} House"),
        ("basic:sleep_tonight", "housing", "basic:food"),
        {"night": 1},
        "charity",
        4,
        men_only=0.25,
        description="Emergency beds for the night for people sleeping rough: a hot meal, a shower and a "
        "bed from 8pm to 8am. Staff help with a longer-term housing plan in the morning.",
        application="Phone before 10pm to check a bed is free; referrals from custody accepted on release.",
    ),
    Kind(
        "housing_out_of_hours",
        ("{town} Council Out-of-Hours Homelessness Line", "{town} Emergency Housing Duty Line"),
        ("basic:sleep_tonight", "housing"),
        {"24h": 1},
        "council",
        1.5,
        virtual=True,
        description="The council's emergency line for anyone homeless tonight: emergency accommodation "
        "for people in priority need, advice for everyone.",
        application="Phone; the duty officer needs the person's name, date of birth and where they are.",
    ),
    Kind(
        "hostel",
        ("{adj} House Hostel", "{place} Direct Access Hostel", "{adj} Court Supported Housing"),
        ("housing", "basic:sleep_tonight"),
        {"24h": 3, "unknown": 1},
        "charity",
        3,
        ages=((18, None), (16, 25)),
        description="Staffed supported housing with a key worker; direct access beds when available.",
        application="Referral by a professional on the hostel's form; direct access by phone.",
    ),
    Kind(
        "refuge",
        ("{adj} Women's Refuge", "{town} Women's Refuge", "Safe Harbour Refuge"),
        ("safeguarding", "basic:sleep_tonight", "risk_from_others"),
        {"24h": 1},
        "charity",
        1.5,
        women_only=1.0,
        description="Safe, confidential accommodation for women and their children escaping domestic "
        "abuse, with 24-hour support. The address is never given out.",
        application="Phone the refuge line at any time; self-referral or through a professional.",
    ),
    Kind(
        "housing_options",
        ("{town} Council Housing Options", "{adj} Housing Advice", "{place} Tenancy Support"),
        ("housing",),
        {"office": 3, "office_short_friday": 1},
        "council",
        3,
        description="Advice for anyone homeless or at risk of losing their home; homelessness "
        "applications and the duty to refer.",
        application="Duty to refer online form (public bodies), or drop in.",
    ),
    Kind(
        "crisis_cafe",
        ("{place} Crisis Café", "{town} Safe Haven", "The {adj} Evening Café"),
        ("mental_health", "risk_to_self"),
        {"late_evening": 3, "weekend_nights": 1},
        "nhs",
        2,
        description="A calm place to go in the evening instead of A&E when things feel too much: "
        "talk to peer supporters and mental health workers.",
        application="Walk in, or phone ahead; no referral needed.",
    ),
    Kind(
        "domestic_abuse",
        ("{town} Domestic Abuse Service", "{adj} Freedom Project", "{place} IDVA Service"),
        ("safeguarding", "risk_from_others", "relationships"),
        {"office": 2, "office_and_evenings": 1},
        "charity",
        2,
        description="Independent domestic violence advisers, safety planning and court support.",
    ),
    Kind(
        "food_bank",
        ("{place} Food Bank", "{adj} Pantry", "{place} Community Larder"),
        ("basic:food",),
        {"weekday_dropin": 3, "three_days": 2, "unknown": 1},
        "charity",
        4,
        ages=((None, None),),
        description="Three days' emergency food for anyone referred with a food voucher.",
        application="Food voucher from a professional (L&D can issue one), or ask at the door.",
    ),
    Kind(
        "community_meal",
        ("{place} Community Kitchen", "{adj} Soup Run", "Sunday Supper at {place}"),
        ("basic:food", "basic_needs"),
        {"weekend_dropin": 2, "sunday_supper": 2, "three_days": 1},
        "charity",
        3,
        ages=((None, None),),
        description="A free hot meal, no questions asked.",
        application="Just turn up.",
    ),
    Kind(
        "day_centre",
        ("{adj} Day Centre", "{place} Drop-in", "The {adj} Centre"),
        ("basic_needs", "basic:food", "basic:clothing", "basic:phone"),
        {"early_day": 3, "office": 1},
        "charity",
        3,
        description="Breakfast, showers, laundry, clothes, a phone to charge and staff who help with "
        "housing, benefits and health.",
        application="Drop in; no referral needed.",
    ),
    Kind(
        "drug_alcohol",
        ("{town} Recovery Service", "{adj} Drug and Alcohol Service", "{place} Recovery Hub"),
        ("substance_use", "physical_health"),
        {"office_and_saturday": 2, "office": 2, "office_and_evenings": 1},
        "nhs",
        4,
        description="Assessment, prescribing, detox, recovery groups and harm reduction for adults "
        "using drugs or alcohol.",
        application="Self-referral by phone or drop-in; same-day assessment for people leaving custody.",
    ),
    Kind(
        "harm_reduction",
        ("{place} Needle Exchange", "{adj} Harm Reduction Van"),
        ("substance_use", "physical_health"),
        {"three_days": 1, "late_evening": 1, "weekend_nights": 1},
        "charity",
        1.5,
        description="Injecting equipment, naloxone, wound care and blood-borne virus testing.",
        application="Walk up; anonymous.",
    ),
    Kind(
        "pharmacy",
        ("{place} Late-Night Pharmacy", "{adj} Pharmacy", "{place} Pharmacy"),
        ("basic:medication", "physical_health"),
        {"extended": 2, "office_and_saturday": 2},
        "pharmacy",
        3,
        ages=((None, None),),
        description="Dispenses prescriptions and emergency supplies of regular medicines.",
        application="Walk in with a prescription, or ask about an emergency supply.",
    ),
    Kind(
        "inclusion_health",
        ("{place} Health Centre (homeless health)", "{town} Inclusion Health Practice"),
        ("physical_health", "basic:medication"),
        {"office": 1},
        "nhs",
        2,
        description="A GP practice for people who are homeless or have no fixed address.",
        application="Register at the desk without proof of address.",
    ),
    Kind(
        "talking_therapies",
        ("{town} Talking Therapies", "{adj} Wellbeing Service"),
        ("mental_health",),
        {"office_and_evenings": 2, "office": 1},
        "nhs",
        3,
        ages=((18, None), (16, None)),
        description="Psychological therapy for depression and anxiety: guided self-help, CBT and "
        "counselling.",
        application="Self-referral online or by phone; GP referral also accepted.",
    ),
    Kind(
        "community_mental_health",
        ("{town} Community Mental Health Team", "{place} Recovery College"),
        ("mental_health", "risk_to_self"),
        {"office": 1},
        "nhs",
        2.5,
        description="Assessment and care coordination for adults with severe mental illness.",
        application="Professional referral by phone to the duty worker, then the referral form.",
    ),
    Kind(
        "ld_autism",
        ("{town} Learning Disability Team", "{adj} Autism Hub", "{place} ADHD Support Group"),
        ("ld_neurodiversity",),
        {"office": 3, "one_evening": 1},
        "nhs",
        2,
        ages=((18, None), (None, None)),
        description="Support and advice for people with a learning disability, autism or ADHD.",
    ),
    Kind(
        "money_advice",
        ("{town} Money Advice Centre", "{adj} Debt Advice", "{place} Welfare Rights"),
        ("money", "basic:money_today", "basic:bank_account"),
        {"office": 2, "weekday_dropin": 1},
        "charity",
        3,
        description="Benefits checks and claims, sanctions and appeals, debt advice.",
    ),
    Kind(
        "welfare_assistance",
        ("{town} Local Welfare Assistance", "{town} Household Support Fund"),
        ("basic:money_today", "basic:food", "money"),
        {"office": 1},
        "council",
        1.5,
        virtual=True,
        description="Emergency payments and vouchers for food, fuel and essentials.",
        application="Apply by phone; a professional can apply for the person.",
    ),
    Kind(
        "employment",
        ("{adj} Employment Hub", "{place} Skills Centre", "Next Steps into Work ({town})"),
        ("employment",),
        {"office": 1},
        "charity",
        2.5,
        ages=((18, None), (16, None)),
        description="Help into work, training and volunteering, including for people with convictions.",
    ),
    Kind(
        "id_banking",
        ("{place} ID and Banking Help Desk", "{adj} Proof of Identity Project"),
        ("basic:id", "basic:bank_account"),
        {"weekday_dropin": 1, "three_days": 1},
        "charity",
        1.5,
        description="Help to get a birth certificate, provisional licence or other ID, and open a "
        "bank account.",
    ),
    Kind(
        "phone_bank",
        ("{adj} Phone Bank", "{place} Digital Inclusion Hub"),
        ("basic:phone",),
        {"weekday_dropin": 1, "three_days": 1},
        "charity",
        1.5,
        description="Free refurbished phones, SIM cards with data, and help to use them.",
    ),
    Kind(
        "clothing",
        ("{place} Clothing Store", "The {adj} Wardrobe"),
        ("basic:clothing",),
        {"weekend_dropin": 1, "weekday_dropin": 1},
        "charity",
        1.5,
        ages=((None, None),),
        description="Free clothes, shoes and coats; interview clothes on request.",
    ),
    Kind(
        "youth_hub",
        ("{town} Youth Hub", "{place} Youth Project"),
        ("relationships", "employment", "risk_from_others"),
        {"after_school": 1},
        "council",
        2,
        ages=((10, 17), (11, 18)),
        description="Youth workers, activities and one-to-one support for young people.",
    ),
    Kind(
        "child_exploitation",
        ("{town} Child Exploitation Team", "{adj} Safe Choices"),
        ("risk_from_others", "safeguarding"),
        {"office": 1},
        "council",
        1.5,
        ages=((10, 17), (10, 24)),
        description="Specialist support for children and young people at risk of criminal or sexual "
        "exploitation, county lines and cuckooing.",
        application="Professional referral through the multi-agency safeguarding hub.",
    ),
    Kind(
        "youth_justice",
        ("{town} Youth Justice Service",),
        ("risk_to_others", "relationships"),
        {"office": 1},
        "council",
        1,
        ages=((10, 17),),
        description="Works with children who have offended or are at risk of offending, and their families.",
        application="Referral by the police, the court or L&D.",
    ),
    Kind(
        "perpetrator_programme",
        ("{adj} Change Programme", "{town} Respect and Responsibility Course"),
        ("risk_to_others", "relationships"),
        {"one_evening": 2, "office": 1},
        "charity",
        1.5,
        men_only=0.6,
        description="A group programme for people who have been abusive or violent and want to change.",
    ),
    Kind(
        "family_support",
        ("{town} Family Support Service", "{adj} Carers' Centre"),
        ("relationships",),
        {"office": 1},
        "council",
        2,
        ages=((None, None), (18, None)),
        description="Support for families under pressure and for carers.",
    ),
    Kind(
        "veterans",
        ("{adj} Veterans' Wellbeing Service",),
        ("mental_health", "physical_health"),
        {"office": 1},
        "charity",
        1,
        description="Mental health and practical support for people who have served in the armed forces.",
    ),
    Kind(
        "sexual_violence",
        ("{town} Sexual Violence Support Centre", "{adj} Independent Sexual Violence Advisers"),
        ("safeguarding", "risk_from_others"),
        {"office_and_evenings": 1, "office": 1},
        "charity",
        1.5,
        women_only=0.4,
        description="Counselling and independent advisers for people who have experienced sexual violence.",
    ),
    Kind(
        "womens_centre",
        ("{place} Women's Centre", "{adj} Women's Project"),
        ("relationships", "safeguarding", "mental_health"),
        {"office": 2, "weekday_dropin": 1},
        "charity",
        1.5,
        women_only=1.0,
        description="A women-only space: key workers, groups, and support for women in contact with "
        "the justice system.",
    ),
)
KIND_BY_CODE = {kind.code: kind for kind in KINDS}

# Neighbourhoods of the fictional towns and words for charities' names: all invented.
PLACES = (
    "Eastgate", "Millbrook", "Harbourside", "Ashfield", "Northfield", "St Anne's", "Bridge End", "Hollins",
    "Greenbank", "Castle Hill", "Foxwood", "Riverside", "Southmoor", "Westholme", "Kingsway", "Marsh Lane",
    "Oakleigh", "Tanners Yard", "Saltings", "Holme Bank", "Cooper's Row", "Lark Rise", "Fennick",
    "Whinmoor Green", "Staithes Road",
)  # fmt: skip
ADJECTIVES = (
    "Harbour", "Beacon", "Lantern", "Compass", "Anchor", "Haven", "Open Door", "Bridge", "Cornerstone",
    "Keystone", "Waymark", "Threshold", "Hearth", "Rowan", "Willow", "Northern Star", "Skylark", "Kestrel",
    "Heron", "Lighthouse", "Hawthorn", "Tidewater", "Milestone", "Steppingstone", "Brightside",
)  # fmt: skip
STREETS = (
    "Chapel Street", "Mill Lane", "Station Road", "Church Walk", "Victoria Road", "Union Street",
    "Market Place", "Water Lane", "King Street", "Albion Terrace", "Bridge Street", "Park Road",
    "Canal Side", "Wharf Street", "Priory Lane", "Tannery Row", "Quarry Hill", "Ropewalk",
)  # fmt: skip
ORG_SUFFIXES = ("Trust", "Project", "Foundation", "Community Association", "Partnership", "Network")
CONTACT_NAMES = ("Referrals", "Duty desk", "Reception", "Intake team", "Service manager", "Front door")

# Local knowledge: the team's own notes on a service.
RELATIONSHIP_NOTES = (
    "Good working relationship; they ring back the same day.",
    "Manager came to our team meeting in the spring; keen to take people straight from custody.",
    "Referrals go into a shared inbox: ring to check it has been picked up.",
    "Waiting list has grown since the funding cut; worth asking about cancellations.",
    "They will meet people at the court cells if booked the day before.",
    "Ask for the duty worker, not reception.",
    "Accepts our referral form instead of theirs.",
    "New staff this year; the old contacts have left.",
    "Will not take anyone with a current arson charge.",
    "Joint drop-in with us on Wednesday afternoons.",
)
HOW_TO_REFER = (
    "Phone the duty line, then email the referral form.",
    "Email the referrals inbox with the consent form attached.",
    "Online form on their website; ring if urgent.",
    "Person can self-refer by phone; we can sit with them while they call.",
    "Walk the person over: no appointment needed.",
)
CONTACT_ROLES = (
    "Service manager", "Referrals coordinator", "Senior support worker", "Duty worker", "Team leader",
    "Outreach worker", "Peer mentor",
)  # fmt: skip
NAMED_CONTACT_NOTES = (
    "Best by mobile, mornings.",
    "Covers the court cells on Mondays.",
    "Part-time: Tuesday to Thursday.",
    "Knows many of our repeat clients.",
    "",
)
