"""The tables behind the demo's needs assessments and plans: levels by condition, and the words used.

Plain data, as in tables.py, so the shape of the assessments can be read and tuned without reading
`assessments.py`. Weights are relative. Every phrase was written for this generator: short, generic
clinical shorthand or first-person words that fit thousands of made-up people and describe no real
one. `{town}` is the team's fictional town (Kestrelford, Marrowby, Wyvern Vale).

Need keys are the code list's (assessment/data/needs.json): a domain code, or "basic:" and a basic need.
"""

from __future__ import annotations

from liaison.assessment.models import EducationStatus, GuardianInvolvement
from liaison.episodes.models import ClosureReason

Weights = dict[str, float]

# --- levels, by what the person's synthetic profile and record say -----------------------------------

# Mental health is always rated. "severe": a severe mental illness; "common": depression or anxiety,
# a personality disorder or another problem (and no severe illness); "none": no diagnosable problem.
MENTAL_HEALTH_LEVELS: dict[str, Weights] = {
    "severe": {"moderate": 25, "high": 58, "urgent": 17},
    "common": {"low": 22, "moderate": 53, "high": 25},
    "none": {"none": 64, "low": 31, "moderate": 5},
}
# Risk to self is always rated; a personality disorder counts as "severe" here (self-harm is common).
RISK_TO_SELF_LEVELS: dict[str, Weights] = {
    "severe": {"none": 28, "low": 30, "moderate": 26, "high": 13, "urgent": 3},
    "common": {"none": 42, "low": 32, "moderate": 17, "high": 8, "urgent": 1},
    "none": {"none": 86, "low": 12, "moderate": 2},
}
# Substance use is always rated: by whether the person has an alcohol or drug dependence.
SUBSTANCE_LEVELS: dict[bool, Weights] = {
    True: {"low": 8, "moderate": 40, "high": 44, "urgent": 8},
    False: {"none": 62, "low": 32, "moderate": 6},
}
# Learning disability and neurodiversity: "ld" when the person's communication needs say learning
# disability or autism; "adhd" for a share of the people with an "other" mental health problem.
LD_LEVELS: dict[str, Weights] = {
    "ld": {"low": 8, "moderate": 57, "high": 35},
    "adhd": {"low": 45, "moderate": 55},
    "none": {"none": 92, "low": 8},
}
LD_RATED = {"ld": 1.0, "adhd": 1.0, "none": 0.35}  # how often the domain is rated at all
ADHD_SHARE = 0.3  # of people with an "other" mental health problem
# Communication needs (tables.COMMUNICATION_NEEDS) that mean a learning disability or autism.
NEURODIVERGENT_NEEDS = (
    "Learning disability: easy read and extra time.",
    "Autistic: prefers a quiet room and a written summary.",
)
# Housing, by no fixed abode (the person's record) or not. Always rated for people with no fixed abode.
HOUSING_LEVELS: dict[bool, Weights] = {
    True: {"moderate": 15, "high": 50, "urgent": 35},
    False: {"none": 68, "low": 21, "moderate": 11},
}
HOUSING_RATED_HOUSED = 0.65
# "A safe place to sleep tonight": most people with no fixed abode, a few others with a housing need.
SLEEP_TONIGHT_CHANCE: dict[bool, float] = {True: 0.7, False: 0.05}
SLEEP_TONIGHT_LEVELS: Weights = {"high": 35, "urgent": 65}

# The other domains: (chance it is rated, level weights). Adjusted in assessments.py for no fixed
# abode, dependence, violent offences and young people (the *_LEVELS tables below).
OTHER_DOMAINS: dict[str, tuple[float, Weights]] = {
    "risk_to_others": (0.4, {"none": 58, "low": 30, "moderate": 10, "high": 2}),
    "risk_from_others": (0.25, {"none": 55, "low": 25, "moderate": 15, "high": 5}),
    "safeguarding": (0.3, {"none": 60, "low": 20, "moderate": 15, "high": 5}),
    "physical_health": (0.55, {"none": 45, "low": 30, "moderate": 20, "high": 5}),
    "money": (0.55, {"none": 35, "low": 32, "moderate": 27, "high": 6}),
    "employment": (0.5, {"none": 40, "low": 35, "moderate": 25}),
    "relationships": (0.55, {"none": 35, "low": 35, "moderate": 25, "high": 5}),
    "basic_needs": (0.2, {"none": 45, "low": 35, "moderate": 20}),
}
NO_FIXED_ABODE_LEVELS: dict[str, Weights] = {
    "money": {"low": 25, "moderate": 50, "high": 25},
    "basic_needs": {"low": 30, "moderate": 50, "high": 20},
    "physical_health": {"none": 25, "low": 35, "moderate": 30, "high": 10},
}
# Dependence: money trouble and being exploited (debts to dealers, cuckooing) are more likely.
DEPENDENCE_LEVELS: dict[str, Weights] = {
    "money": {"none": 15, "low": 30, "moderate": 40, "high": 15},
    "risk_from_others": {"none": 35, "low": 30, "moderate": 25, "high": 10},
}
DEPENDENCE_RATED = {"money": 0.85, "risk_from_others": 0.5}
VIOLENT_RISK_TO_OTHERS: Weights = {"none": 15, "low": 42, "moderate": 33, "high": 10}
# Every young person's assessment rates safeguarding (the service insists); exploitation is common.
YOUTH_SAFEGUARDING_LEVELS: Weights = {"none": 25, "low": 30, "moderate": 28, "high": 15, "urgent": 2}
YOUTH_RISK_FROM_OTHERS: tuple[float, Weights] = (0.5, {"none": 40, "low": 25, "moderate": 22, "high": 13})
YOUTH_EMPLOYMENT: tuple[float, Weights] = (0.8, {"none": 35, "low": 30, "moderate": 30, "high": 5})

# Basic needs other than tonight's bed: (chance with no fixed abode, chance otherwise, level weights).
BASIC_NEEDS: dict[str, tuple[float, float, Weights]] = {
    "basic:food": (0.35, 0.04, {"moderate": 45, "high": 40, "urgent": 15}),
    "basic:money_today": (0.3, 0.05, {"moderate": 40, "high": 45, "urgent": 15}),
    "basic:medication": (0.1, 0.04, {"moderate": 30, "high": 50, "urgent": 20}),
    "basic:phone": (0.3, 0.07, {"low": 20, "moderate": 60, "high": 20}),
    "basic:id": (0.3, 0.03, {"low": 30, "moderate": 60, "high": 10}),
    "basic:clothing": (0.15, 0.01, {"low": 30, "moderate": 50, "high": 20}),
    "basic:bank_account": (0.15, 0.02, {"low": 40, "moderate": 50, "high": 10}),
}
MEDICATION_SEVERE_CHANCE = 0.2  # a severe mental illness: out of their medication

# Who raised a need: the person for most of their own priorities, now and then a partner agency
# (the custody nurse, the police). No "screening": the demo seeds no screenings to suggest levels.
PERSON_RAISED_CHANCE = 0.6
PARTNER_RAISED_CHANCE = 0.08
# How many needs the person names as their priorities, and which they tend to name.
PRIORITY_COUNT: dict[int, float] = {1: 35, 2: 45, 3: 20}
PRIORITY_WEIGHTS: Weights = {
    "basic:sleep_tonight": 10,
    "housing": 8,
    "basic:food": 6,
    "basic:money_today": 6,
    "basic:medication": 6,
    "relationships": 5,
    "substance_use": 5,
    "mental_health": 5,
    "money": 5,
    "employment": 3,
    "physical_health": 3,
}
PRIORITY_WEIGHT_OTHER = 1.5

# --- evidence: "some" for low and moderate, "serious" for high and urgent ----------------------------

EVIDENCE: dict[str, dict[str, tuple[str, ...]]] = {
    "risk_to_self": {
        "none": (
            "No thoughts of self-harm or suicide, now or before.",
            "Denies any self-harm; nothing on the custody record.",
        ),
        "some": (
            "Thoughts of self-harm in the past month, none today; can name who they would call.",
            "Old self-harm scars; last cut themselves over a year ago.",
            "Low mood with passing thoughts of not being here; no plan or intent.",
        ),
        "serious": (
            "Tied a ligature in the cell last night; on constant observation.",
            "Says they will end their life on release; has a plan and the means at home.",
            "Overdose two weeks ago; left A&E before being seen by the mental health team.",
        ),
    },
    "risk_to_others": {
        "none": ("No history of violence; calm and polite throughout.",),
        "some": (
            "Arrested after a fight outside a pub; no history of violence before.",
            "Verbal threats to a neighbour; no weapon involved.",
            "Shouted at custody staff when first brought in; settled quickly.",
        ),
        "serious": (
            "Repeated assaults on a partner; a domestic abuse marker on the police record.",
            "Carried a knife 'for protection'; made threats against a named person.",
        ),
    },
    "risk_from_others": {
        "some": (
            "Says friends 'borrow' their flat and their money.",
            "Owes money to people they will not name.",
            "Older friends give them lifts and cash; unclear what is expected back.",
        ),
        "serious": (
            "Flat taken over by a county lines group (cuckooing); scared to go home.",
            "Made to carry drugs to pay off a debt; threats against their family.",
        ),
    },
    "safeguarding": {
        "none": ("No children in their care; no concerns at home.",),
        "some": (
            "Two children live with their ex-partner; contact arranged through the family.",
            "Missing from home twice this year; returned by police both times.",
            "Previous referral to children's services, now closed.",
        ),
        "serious": (
            "Reports being groomed by older men met online; police informed.",
            "Discloses ongoing abuse from a partner; MARAC referral needed.",
            "Children were at home when the person was arrested; children's social care informed.",
        ),
    },
    "mental_health": {
        "none": ("No mental health history; mood and sleep fine.", "No concerns on talking it through."),
        "some": (
            "Low mood and poor sleep for months; GP prescribed sertraline, taken on and off.",
            "Anxious in crowds; panic attacks most weeks.",
            "Diagnosis of emotionally unstable personality disorder; known to the {town} CMHT in the past.",
            "Nightmares and flashbacks since an assault two years ago; never had treatment.",
        ),
        "serious": (
            "Hearing voices telling them they are being watched; stopped their depot two months ago.",
            "Very low mood, not eating, struggling to hold a conversation.",
            "Known to the {town} early intervention team; paranoid and thought-disordered at interview.",
            "Elated, not slept for days, spending money they do not have; history of bipolar disorder.",
        ),
    },
    "ld_neurodiversity": {
        "none": ("No history of special educational needs; read the rights sheet without help.",),
        "some": (
            "Diagnosed with ADHD at school; struggles to keep to appointments.",
            "Needed the custody rights explained twice; reads with difficulty.",
            "Autistic: finds the noise of the custody suite overwhelming; calmer in a quiet room.",
        ),
        "serious": (
            "Mild learning disability; could not explain the caution back in their own words.",
            "Went to a special school; a carer manages their money and appointments.",
        ),
    },
    "substance_use": {
        "none": ("Does not drink or use drugs.", "Drinks now and then; no concerns."),
        "some": (
            "Drinks most evenings, more at weekends; no withdrawal.",
            "Cannabis every day since school; wants to cut down.",
            "Cocaine at weekends; spending more than they earn on it.",
        ),
        "serious": (
            "Uses heroin and crack every day; last used yesterday morning.",
            "Drinks two litres of strong cider a day; shaky and sweating in the cell.",
            "Injecting; has shared equipment in the past.",
            "Withdrawing from heroin; the custody nurse has asked for an opiate substitute.",
        ),
    },
    "physical_health": {
        "none": ("No physical health problems; takes no medication.",),
        "some": (
            "Asthma; has an inhaler with them.",
            "Type 2 diabetes, managed by the GP.",
            "Back pain after an old injury; takes co-codamol.",
        ),
        "serious": (
            "Epilepsy; has missed their medication for three days.",
            "Leg ulcer from injecting, untreated; needs a nurse to dress it.",
        ),
    },
    "housing": {
        "none": ("Own tenancy; no problems with it.", "Lives with family; settled there."),
        "some": (
            "Sofa-surfing at a friend's; can stay for now.",
            "Rent arrears; a notice to quit from the landlord.",
            "Lives with a parent; it is tense, but they can stay.",
        ),
        "serious": (
            "Sleeping in a tent by the canal for the last month.",
            "Evicted from a {town} hostel last week; nowhere to go on release.",
            "No fixed abode since leaving prison in the spring.",
        ),
    },
    "money": {
        "none": ("Wages or benefits cover the bills.",),
        "some": (
            "Universal Credit paid, but a sanction took most of last month's.",
            "Owes about £1,500 on catalogues and a payday loan.",
        ),
        "serious": (
            "No income: benefits stopped after a missed work coach appointment.",
            "Owes a dealer; says the debt grows every week.",
        ),
    },
    "employment": {
        "none": ("Works full time as a delivery driver.", "Retired; no wish to work or study."),
        "some": (
            "Out of work since the warehouse closed; wants to get back to it.",
            "Left college in the first term; interested in a construction course.",
        ),
        "serious": ("Has never worked; no qualifications and cannot read well enough to apply for jobs.",),
    },
    "relationships": {
        "none": ("Close to their family; a partner who supports them.",),
        "some": (
            "Split up with their partner last month; misses the children.",
            "Lost touch with family; still speaks to one cousin.",
        ),
        "serious": (
            "No one to call: family cut contact after the last arrest.",
            "Main carer for a parent with dementia; no one else to step in.",
        ),
    },
    "basic_needs": {
        "none": ("Has food, clothes, a phone and ID.",),
        "some": (
            "Phone broken; no way to reach them except through the hostel.",
            "No ID, so cannot open a bank account.",
        ),
        "serious": ("Has not eaten properly in days; no money and no food at home.",),
    },
    "basic:sleep_tonight": {
        "some": ("Can stay at a friend's tonight, but not after that.",),
        "serious": (
            "Nowhere to sleep tonight; due out this evening with no address.",
            "Banned from the only night shelter in {town}.",
        ),
    },
    "basic:food": {
        "some": ("Little food at home until payday.",),
        "serious": ("Has not eaten since yesterday.",),
    },
    "basic:money_today": {
        "some": ("A few pounds left until Friday.",),
        "serious": ("No money for the bus home or for food today.",),
    },
    "basic:medication": {
        "some": ("Prescription runs out in two days.",),
        "serious": ("Ran out of their prescription on Friday; the GP is closed until Monday.",),
    },
    "basic:phone": {
        "some": ("Phone has no credit.",),
        "serious": ("Phone kept as evidence; no other way to contact anyone.",),
    },
    "basic:id": {
        "some": ("Only an expired bus pass as ID.",),
        "serious": ("Lost their passport and driving licence when they were evicted.",),
    },
    "basic:clothing": {
        "some": ("Only the clothes they are wearing.",),
        "serious": ("Clothes kept as evidence; only a custody tracksuit to leave in.",),
    },
    "basic:bank_account": {
        "some": ("Bank account frozen over an old overdraft.",),
        "serious": ("No bank account, so benefits cannot be paid.",),
    },
}
NO_NEED_EVIDENCE = ("Asked about; nothing raised.", "No concerns.")
# On a review: what changed, for a need that went down or up.
IMPROVED: dict[str, tuple[str, ...]] = {
    "housing": (
        "Now in a supported housing flat in {town}.",
        "In emergency accommodation; a move-on flat is being found.",
    ),
    "basic:sleep_tonight": ("Has a bed at the {town} night shelter.",),
    "mental_health": (
        "Seen by the {town} CMHT; back on medication and sleeping better.",
        "Mood better since starting talking therapy.",
    ),
    "substance_use": (
        "Started a script with {town} drug and alcohol service; using much less.",
        "Cut down to weekends; going to a group.",
    ),
    "money": ("Universal Credit back in payment; debt advice booked.",),
    "risk_to_self": ("No thoughts of self-harm since support started; safety plan in place.",),
    "relationships": ("Supervised contact with the children arranged.",),
    "physical_health": ("Registered with a GP; medication sorted.",),
}
IMPROVED_OTHER = ("Better since the first assessment: support in place, and the person says it is helping.",)
WORSE = (
    "Worse since the first assessment: ",
    "Raised at the review: ",
)

# --- the person's own view ---------------------------------------------------------------------------

# What is going on for them, in their words, by the first of their priorities.
OWN_WORDS: dict[str, tuple[str, ...]] = {
    "basic:sleep_tonight": (
        "I just need somewhere to stay tonight.",
        "I've got nowhere to go when they let me out.",
    ),
    "housing": (
        "I lost my flat and everything went downhill from there.",
        "I'm on my mate's floor and he wants me gone.",
    ),
    "mental_health": (
        "My head's all over the place. I can't think straight.",
        "I haven't slept properly in weeks.",
        "The voices have been bad again since I stopped my tablets.",
    ),
    "risk_to_self": ("Some days I don't see the point in any of it.",),
    "substance_use": ("I've been using more since my mum died.", "The drink's got hold of me again."),
    "relationships": ("I want to see my kids again.", "My family won't talk to me any more."),
    "money": ("My money got stopped and I've got nothing.",),
    "risk_from_others": (
        "There are people using my flat and I can't get them out.",
        "I owe people and they won't leave me alone.",
    ),
    "ld_neurodiversity": ("Nobody explains things properly. I don't know what's happening.",),
    "employment": ("I just want a job and to get back on track.",),
    "physical_health": ("My leg's been bad for weeks and I can't get to a doctor.",),
    "safeguarding": ("I don't feel safe at home.",),
    "basic:food": ("I haven't eaten since yesterday.",),
    "basic:medication": ("I ran out of my tablets and the doctor's is shut.",),
    "basic:money_today": ("I haven't got a penny till Friday.",),
}
OWN_WORDS_OTHER = (
    "I don't really know why I'm here.",
    "Things have just been getting on top of me.",
    "It's been a bad few months.",
)
HELP_FIRST: dict[str, tuple[str, ...]] = {
    "basic:sleep_tonight": ("Somewhere to stay tonight.",),
    "housing": ("Getting a place of my own.", "Sorting my housing."),
    "mental_health": ("Seeing someone about my mental health.", "Getting back on my medication."),
    "risk_to_self": ("Someone to talk to when it gets bad.",),
    "substance_use": ("Getting into a detox.", "Getting a script sorted."),
    "relationships": ("Seeing my kids.",),
    "money": ("Getting my benefits back on.",),
    "risk_from_others": ("Getting those people out of my flat.",),
    "employment": ("Finding work.",),
    "physical_health": ("Seeing a doctor.",),
    "basic:food": ("Something to eat.",),
    "basic:medication": ("My tablets.",),
    "basic:money_today": ("Some money to get home.",),
}
HELP_FIRST_OTHER = ("Just getting through court.", "I don't know. Whatever helps.")
GOALS: dict[str, tuple[str, ...]] = {
    "housing": ("Get my own place.",),
    "basic:sleep_tonight": ("Get off the streets for good.",),
    "substance_use": ("Stay off the gear.", "Get clean for my kids."),
    "relationships": ("See my kids again.", "Make it up with my mum."),
    "employment": ("Get back to work.",),
    "mental_health": ("Feel like myself again.",),
    "money": ("Get on top of my debts.",),
}
GOALS_OTHER = ("Stay out of trouble.", "Keep my head down and get on with things.")
GOALS_YOUTH = ("Go back to school.", "Finish college.", "Get an apprenticeship.", "Stay out of trouble.")
HELPED_BEFORE = (
    "The drug service, when I had a key worker.",
    "My support worker at the hostel.",
    "Talking to the nurse at my GP.",
    "The crisis team came out once and that helped.",
    "My youth worker.",
)
NOT_HELPED_BEFORE = (
    "Being passed from one service to the next.",
    "Groups: I can't talk in front of people.",
    "Waiting lists. By the time they ring I've moved.",
    "Letters. I don't open them.",
)
CONTACT_PREFERENCE = (
    "Text first, then ring.",
    "Ring in the mornings.",
    "Through my mum's phone.",
    "At the drop-in, not letters.",
    "Through the hostel staff.",
    "Easy read letters, and a call to check I've got them.",
)
# How often each optional view field is filled in.
VIEW_FILLED = {"helped_before": 0.55, "not_helped_before": 0.45, "goals": 0.8, "contact_preference": 0.75}

# --- custody findings (police custody and voluntary attendance) ----------------------------------------

INTERVIEW_ADJUSTMENTS = {
    "youth": "Interview only with the appropriate adult present; short questions, a break every 30 minutes.",
    "ld": "Interview with the appropriate adult; plain words, one question at a time, check understanding.",
    "severe": "Fit once the custody doctor has reviewed them; breaks, and each step explained clearly.",
    "withdrawal": "Fit after the custody nurse has treated their withdrawal; review before interview.",
}
NOT_FIT_FOR_INTERVIEW = (
    "Acutely unwell and distracted by voices: not fit now; reassess after the Mental Health Act assessment.",
    "Too intoxicated to follow the caution; reassess in the morning.",
)
DETENTION_ADJUSTMENTS = {
    "risk": "Fit for detention on constant observation: no cords or laces, and checks every 15 minutes.",
    "withdrawal": "Fit for detention with rousing checks every 30 minutes while withdrawing.",
    "severe": "Fit for detention for now; the custody doctor to review if they become more distressed.",
}
APPROPRIATE_ADULT_REASONS = {
    "youth": "Under 18: an appropriate adult must be present (PACE Code C).",
    "ld": "Learning disability or autism: could not explain the caution back; appropriate adult needed.",
    "severe": "Mental illness: may not understand the questions or their answers; appropriate adult needed.",
}
CAPACITY_REASONS = (
    "Unsure they can weigh up the legal advice; the solicitor has been told.",
    "Struggles to retain information about their rights; the custody sergeant has been told.",
)
COMMUNICATION_REASONS = {
    "interpreter": "Needs a {language} interpreter for interview and for the rights.",
    "needs": "{needs} The custody sergeant has been told.",
}
# How often each finding turns up when its cause is present (otherwise the answer is "fit" or "no").
FINDING_CHANCES = {
    "interview_adjustments_ld": 0.8,
    "interview_adjustments_severe": 0.45,
    "interview_adjustments_withdrawal": 0.5,
    "not_fit_for_interview": 0.06,  # of people with a severe illness, or in withdrawal
    "detention_adjustments": 0.7,  # with a high or urgent risk to self, or withdrawal
    "appropriate_adult_severe": 0.5,
    "capacity_concerns": 0.25,  # a severe illness or a learning disability
}

# --- young people ----------------------------------------------------------------------------------

GUARDIAN_WEIGHTS: Weights = {
    GuardianInvolvement.PRESENT: 45,
    GuardianInvolvement.INFORMED: 30,
    GuardianInvolvement.NOT_CONTACTABLE: 15,
    GuardianInvolvement.NOT_APPROPRIATE: 10,
}
GUARDIAN_DETAIL: dict[str, tuple[str, ...]] = {
    GuardianInvolvement.PRESENT: ("Mother came to the custody suite.", "Grandmother present throughout.", ""),
    GuardianInvolvement.INFORMED: ("Father told by phone; could not come before the interview.", ""),
    GuardianInvolvement.NOT_CONTACTABLE: ("Three calls to the numbers given; no answer.",),
    GuardianInvolvement.NOT_APPROPRIATE: (
        "Looked after by the local authority; the social worker was told instead.",
        "The parent is the alleged victim; the youth justice service was told instead.",
    ),
}
EDUCATION_WEIGHTS: dict[bool, Weights] = {  # by whether the young person is 16 or 17
    False: {
        EducationStatus.IN_EDUCATION: 45,
        EducationStatus.ALTERNATIVE: 20,
        EducationStatus.EXCLUDED: 20,
        EducationStatus.HOME: 3,
        EducationStatus.NOT_KNOWN: 12,
    },
    True: {
        EducationStatus.IN_EDUCATION: 30,
        EducationStatus.NEET: 30,
        EducationStatus.WORKING: 15,
        EducationStatus.ALTERNATIVE: 10,
        EducationStatus.EXCLUDED: 5,
        EducationStatus.NOT_KNOWN: 10,
    },
}
EDUCATION_DETAIL: dict[str, tuple[str, ...]] = {
    EducationStatus.IN_EDUCATION: (
        "Year 10 at a {town} secondary school; attendance about 60%.",
        "First year of a college course.",
    ),
    EducationStatus.ALTERNATIVE: ("At the {town} pupil referral unit, mornings only.",),
    EducationStatus.EXCLUDED: (
        "Permanently excluded in Year 9; waiting for a new place.",
        "Suspended for five days last week.",
    ),
    EducationStatus.HOME: ("Home educated since Year 8.",),
    EducationStatus.NEET: ("Left school at 16; nothing since.",),
    EducationStatus.WORKING: ("Apprentice at a garage in {town}.",),
    EducationStatus.NOT_KNOWN: ("Would not say; school to be asked.",),
}
YOUTH_JUSTICE_CONTACT = "{town} Youth Justice Service, duty officer"
YOUTH_JUSTICE_KNOWN = 0.7

# --- plans ---------------------------------------------------------------------------------------

# What is done about each need. Actions go to the top of the plan, in the plan's order.
ACTIONS: dict[str, tuple[str, ...]] = {
    "risk_to_self": (
        "Agree a safety plan with the person before release",
        "Refer to the {town} crisis team",
        "Share the risk assessment with the custody nurse",
    ),
    "risk_to_others": (
        "Share risk information with probation",
        "Discuss risk management with the police offender manager",
    ),
    "risk_from_others": (
        "Refer to the {town} exploitation panel",
        "Make a safeguarding adults referral about cuckooing",
    ),
    "safeguarding": (
        "Make a referral to {town} children's social care",
        "Refer to the MARAC through the police",
        "Share concerns with the youth justice service",
    ),
    "mental_health": (
        "Refer to the {town} community mental health team",
        "Ask the GP for a medication review",
        "Send the court a liaison report on their mental health",
    ),
    "ld_neurodiversity": (
        "Send the court a communication passport",
        "Refer to the {town} community learning disability team",
        "Request an intermediary for the court hearing",
    ),
    "substance_use": (
        "Refer to {town} drug and alcohol service",
        "Book an alcohol detox assessment",
        "Give naloxone and harm reduction advice",
    ),
    "physical_health": ("Help register with a GP", "Book a nurse appointment for the wound"),
    "housing": (
        "Book a housing options appointment with the council",
        "Make a duty to refer to the council's housing team",
        "Refer to the {town} supported housing panel",
    ),
    "money": ("Help with a Universal Credit claim", "Refer for debt advice", "Ask for a hardship payment"),
    "employment": (
        "Refer to the employment support worker at the {town} job centre",
        "Look at college courses together",
    ),
    "relationships": ("Refer to family mediation", "Help contact the children's social worker about contact"),
    "basic_needs": ("Apply for a food bank voucher", "Get a replacement phone from the hardship fund"),
    "basic:sleep_tonight": (
        "Call the council's emergency accommodation line before release",
        "Book a bed at the {town} night shelter",
    ),
    "basic:food": ("Give a food bank voucher today",),
    "basic:money_today": ("Ask for a Universal Credit advance",),
    "basic:medication": ("Ask the GP for an emergency prescription",),
    "basic:phone": ("Give a phone from the hardship fund",),
    "basic:id": ("Apply for a replacement birth certificate",),
    "basic:clothing": ("Get clothes from the {town} clothing bank",),
    "basic:bank_account": ("Help open a basic bank account",),
}
ACTION_COUNT: dict[int, float] = {1: 40, 2: 40, 3: 20}
ACTION_DUE_DAYS = (1, 14)  # after the assessment; basic needs today
# Actions on housing, money and basic needs go to the team's adviser now and then, if it has one.
ADVISER_KEYS = ("housing", "money", "basic_needs", "basic:id", "basic:bank_account", "basic:money_today")
ADVISER_CHANCE = 0.35
# Open episodes: an action is in progress rather than planned; one due weeks ago is mostly done.
IN_PROGRESS_CHANCE = 0.35
OLD_ACTION_DAYS = 21
OLD_ACTION_DONE_CHANCE = 0.65
# Closed episodes: every action is finished; "no longer needed" by how the episode closed.
NOT_NEEDED_CHANCE: dict[str, float] = {
    ClosureReason.PRISON: 0.5,
    ClosureReason.LOST_CONTACT: 0.5,
    ClosureReason.DIED: 1.0,
    ClosureReason.DECLINED: 0.6,
}
NOT_NEEDED_OTHER = 0.1
# A practitioner's override of the rule's order, with the reason: on a few plans of two or more needs.
# {label} is the need moved to the top as the code list names it, {need} the same in lower case.
OVERRIDE_CHANCE = 0.08
OVERRIDE_REASONS = (
    "{label} first: they will not engage with anything else until it is sorted. Agreed with them.",
    "Court hearing this week: {need} has to be in the liaison report first.",
    "{label} first: the appointment is already booked for tomorrow.",
    "Agreed with the team lead: {need} first; the rest follow once it is in place.",
)

# --- reviews ------------------------------------------------------------------------------------------

# A share of the episodes that reached support get a reviewed assessment (number 2), some weeks in.
REVIEW_CHANCE = 0.4
REVIEW_AFTER_DAYS = (14, 75)  # after support started, and before the episode closed or "now"
# What happens to each need above "none" at the review.
REVIEW_CHANGE: Weights = {"lower": 45, "same": 42, "raise": 13}
REVIEW_CHANGE_BASIC: Weights = {"lower": 75, "same": 20, "raise": 5}  # today's basic needs are mostly met
REVIEW_MET_CHANCE = 0.35  # a lowered need is met in full ("none") rather than one step down
REVIEW_NEW_NEED_CHANCE = 0.15  # a domain not rated before turns up at the review
REVIEW_CONTACT_NOTE = "Reviewed the assessment with the person; the plan updated."
