"""The consent rules as a table: recipient kind × content kind × consent state × age.

Each case records the consent state for two pairs, then asks `may_share` about every one of the 32
(recipient kind, content kind) pairs: the two named pairs follow the state and age; every other pair
was never asked about and is refused.
"""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from liaison.consent.models import Capacity, ContentKind, Decision, Guardian, RecipientKind
from liaison.consent.rules import allowed_contents, may_share
from liaison.consent.services import withdraw_consent
from tests.consent.conftest import share
from tests.factories import EpisodeFactory, PersonFactory, Role, SiteFactory, member

NAMED = [
    (RecipientKind.COURT, ContentKind.RECOMMENDATIONS),
    (RecipientKind.POLICE, ContentKind.NEEDS_SUMMARY),
]
ALL_PAIRS = [(r, c) for r in RecipientKind.values for c in ContentKind.values]

# age name: (years old today or None, what the form records about a parent or guardian)
AGES = {
    "adult": (34, ""),
    "17, guardian agreed": (17, Guardian.AGREED),
    "17, guardian not recorded": (17, None),
    "15, competent alone": (15, Guardian.COMPETENT_ALONE),
    "unknown date of birth": (None, ""),
}
# age name: does an agreement count?
AGREEMENT_COUNTS = {
    "adult": True,
    "17, guardian agreed": True,
    "17, guardian not recorded": False,
    "15, competent alone": True,
    "unknown date of birth": True,
}
STATES = [
    "not asked",
    "given",
    "refused",
    "withdrawn",
    "withdrawn then given again",
    "lacks capacity",
    "other team's consent",
]


def _person(age: int | None):
    born = None if age is None else timezone.localdate() - relativedelta(years=age, days=30)
    return PersonFactory(date_of_birth=born)


def _record(state, *, person, practitioner, other, team_a, team_b, guardian):
    fields: dict = {}
    if guardian is None:
        fields["guardian_required"] = False
    elif guardian:
        fields["guardian"] = guardian
        if guardian == Guardian.AGREED:
            fields["guardian_name"] = "Sam Parent"
    earlier = timezone.now() - dt.timedelta(hours=2)
    if state == "not asked":
        return
    if state == "given":
        share(practitioner, person, team_a, NAMED, **fields)
    elif state == "refused":
        share(practitioner, person, team_a, NAMED, decision=Decision.REFUSED, **fields)
    elif state == "withdrawn":
        consent = share(practitioner, person, team_a, NAMED, **fields)
        withdraw_consent(actor=practitioner, consent=consent, version=1, note="Changed their mind")
    elif state == "withdrawn then given again":
        consent = share(practitioner, person, team_a, NAMED, at=earlier, **fields)
        withdraw_consent(actor=practitioner, consent=consent, version=1)
        share(practitioner, person, team_a, NAMED, **fields)
    elif state == "lacks capacity":
        share(
            practitioner,
            person,
            team_a,
            NAMED,
            capacity=Capacity.LACKS_CAPACITY,
            capacity_note="Acutely intoxicated",
            **fields,
        )
    elif state == "other team's consent":
        share(other, person, team_b, NAMED, **fields)


def _expected(state: str, age_name: str) -> bool:
    return state in ("given", "withdrawn then given again") and AGREEMENT_COUNTS[age_name]


@pytest.mark.parametrize("age_name", list(AGES))
@pytest.mark.parametrize("state", STATES)
def test_the_consent_rules_table(state, age_name, practitioner, team_a, team_b, site_a, site_b):
    age, guardian = AGES[age_name]
    person = _person(age)
    EpisodeFactory(site=site_a, person=person)
    EpisodeFactory(site=site_b, person=person)
    other = member(team_b, Role.PRACTITIONER)
    _record(
        state,
        person=person,
        practitioner=practitioner,
        other=other,
        team_a=team_a,
        team_b=team_b,
        guardian=guardian,
    )
    expected = _expected(state, age_name)
    for recipient_kind, content_kind in ALL_PAIRS:
        decision = may_share(person, team=team_a, recipient_kind=recipient_kind, content_kind=content_kind)
        want = expected and (recipient_kind, content_kind) in NAMED
        assert decision.allowed is want, (recipient_kind, content_kind, decision.reason)
        assert decision.reason
        if want:
            assert (decision.basis, decision.consent_id) != ("", None)
        else:
            assert decision.basis == "" and decision.consent_id is None


@pytest.mark.parametrize(
    ("state", "age_name", "says"),
    [
        ("not asked", "adult", "has not been asked"),
        ("refused", "adult", "did not agree"),
        ("withdrawn", "adult", "withdrew their consent"),
        ("lacks capacity", "adult", "lacked capacity"),
        ("given", "17, guardian not recorded", "under 18"),
        ("given", "unknown date of birth", "no date of birth recorded: taken as an adult"),
        ("other team's consent", "adult", "has not been asked"),
    ],
)
def test_each_refusal_says_why(state, age_name, says, practitioner, team_a, team_b, site_a):
    age, guardian = AGES[age_name]
    person = _person(age)
    EpisodeFactory(site=site_a, person=person)
    other = member(team_b, Role.PRACTITIONER)
    _record(
        state,
        person=person,
        practitioner=practitioner,
        other=other,
        team_a=team_a,
        team_b=team_b,
        guardian=guardian,
    )
    decision = may_share(person, team=team_a, recipient_kind="court", content_kind="recommendations")
    assert says in decision.reason


def test_a_newer_refusal_replaces_an_older_agreement_for_that_pair_only(practitioner, person_a, team_a):
    share(practitioner, person_a, team_a, NAMED, at=timezone.now() - dt.timedelta(hours=1))
    share(practitioner, person_a, team_a, [NAMED[0]], decision=Decision.REFUSED)
    assert not may_share(
        person_a, team=team_a, recipient_kind="court", content_kind="recommendations"
    ).allowed
    assert may_share(person_a, team=team_a, recipient_kind="police", content_kind="needs_summary").allowed


def test_a_decision_at_an_earlier_time_sees_the_consent_as_it_was(practitioner, person_a, team_a):
    consent = share(practitioner, person_a, team_a, NAMED, at=timezone.now() - dt.timedelta(hours=2))
    withdraw_consent(actor=practitioner, consent=consent, version=1)
    before = timezone.now() - dt.timedelta(hours=1)
    assert may_share(
        person_a, team=team_a, recipient_kind="court", content_kind="recommendations", at=before
    ).allowed
    assert not may_share(
        person_a, team=team_a, recipient_kind="court", content_kind="recommendations"
    ).allowed


def test_allowed_contents_gives_every_content_kind_in_order(practitioner, person_a, team_a):
    share(practitioner, person_a, team_a, [("court", "recommendations"), ("court", "screening")])
    decisions = allowed_contents(person_a, team=team_a, recipient_kind="court")
    assert list(decisions) == ContentKind.values
    assert [d.allowed for d in decisions.values()] == [True, False, True, False]


def test_unknown_kinds_are_a_programming_error(person_a, team_a):
    with pytest.raises(ValueError):
        may_share(person_a, team=team_a, recipient_kind="press", content_kind="recommendations")
    with pytest.raises(ValueError):
        may_share(person_a, team=team_a, recipient_kind="court", content_kind="everything")


def test_a_second_site_of_another_team_does_not_matter(practitioner, person_a, team_a, team_b):
    SiteFactory(team=team_b)
    share(practitioner, person_a, team_a, NAMED)
    assert not may_share(
        person_a, team=team_b, recipient_kind="court", content_kind="recommendations"
    ).allowed
