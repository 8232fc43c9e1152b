"""Retention: how long a person's record is kept, from the classes in `data/retention.json`.

Each class that applies gives a date; the record's retention date is the LATEST of them (the longest
wins). A class that is "indefinite" (a legal hold on, an open subject access request) applies with no
date: the record is never due while it applies. Classes and terms are data, loaded and checked
strictly when first used, so a typo fails loudly rather than shortening a retention period.

The facts each rule needs (date of birth, first and last activity, death) come from one annotated
query, for one person or for a whole team's list: a fixed number of queries however many people.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from django.db.models import Exists, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from liaison.episodes.models import ClosureReason, Contact, Episode
from liaison.people.models import Person
from liaison.rights.models import DestructionRecord, LegalHold, SubjectAccessRequest

DATA = Path(__file__).parent / "data" / "retention.json"

CONDITIONS = frozenset({"always", "under_18_in_care", "legal_hold", "open_subject_access_request"})
ANCHORS = frozenset({"last_contact", "birth"})
ONLY_IF = frozenset({"17_at_end_of_care"})
MAX_YEARS = 100


class RetentionConfigError(ValueError):
    """retention.json is not what the code expects."""


@dataclass(frozen=True)
class Term:
    years: int
    after: str
    only_if: str = ""


@dataclass(frozen=True)
class RetentionClass:
    code: str
    name: str
    citation: str
    applies_when: str
    terms: tuple[Term, ...] = ()
    after_death_years: int | None = None
    indefinite: bool = False


def _years(value: object, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_YEARS:
        raise RetentionConfigError(f"{where}: years must be a whole number from 1 to {MAX_YEARS}")
    return value


def _keys(item: object, required: set[str], optional: set[str], where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise RetentionConfigError(f"{where}: expected an object")
    missing = required - set(item)
    unknown = set(item) - required - optional
    if missing or unknown:
        raise RetentionConfigError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    return item


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RetentionConfigError(f"{where}: expected some text")
    return value


def parse_classes(raw: object) -> tuple[RetentionClass, ...]:
    """The classes in a parsed retention.json, or RetentionConfigError naming what is wrong."""
    document = _keys(raw, {"source", "classes"}, set(), "retention.json")
    _text(document["source"], "source")
    if not isinstance(document["classes"], list) or not document["classes"]:
        raise RetentionConfigError("classes: expected a list of one or more classes")
    classes: list[RetentionClass] = []
    for index, item in enumerate(document["classes"]):
        where = f"classes[{index}]"
        entry = _keys(
            item,
            {"code", "name", "citation", "applies_when"},
            {"terms", "after_death_years", "indefinite"},
            where,
        )
        code = _text(entry["code"], f"{where}.code")
        if entry["applies_when"] not in CONDITIONS:
            raise RetentionConfigError(f"{where}.applies_when must be one of {sorted(CONDITIONS)}")
        indefinite = entry.get("indefinite", False)
        if not isinstance(indefinite, bool):
            raise RetentionConfigError(f"{where}.indefinite must be true or false")
        terms: list[Term] = []
        for t_index, term in enumerate(entry.get("terms", [])):
            t_where = f"{where}.terms[{t_index}]"
            t = _keys(term, {"years", "after"}, {"only_if"}, t_where)
            if t["after"] not in ANCHORS:
                raise RetentionConfigError(f"{t_where}.after must be one of {sorted(ANCHORS)}")
            if t.get("only_if", "") and t["only_if"] not in ONLY_IF:
                raise RetentionConfigError(f"{t_where}.only_if must be one of {sorted(ONLY_IF)}")
            terms.append(Term(_years(t["years"], t_where), t["after"], t.get("only_if", "")))
        if indefinite == bool(terms):
            raise RetentionConfigError(f'{where}: give either terms or "indefinite": true, not both')
        if indefinite and "after_death_years" in entry:
            raise RetentionConfigError(f"{where}: an indefinite class has no after_death_years")
        if not indefinite and all(t.only_if for t in terms):
            raise RetentionConfigError(f"{where}: at least one term must apply without a condition")
        death = entry.get("after_death_years")
        classes.append(
            RetentionClass(
                code=code,
                name=_text(entry["name"], f"{where}.name"),
                citation=_text(entry["citation"], f"{where}.citation"),
                applies_when=entry["applies_when"],
                terms=tuple(terms),
                after_death_years=None if death is None else _years(death, f"{where}.after_death_years"),
                indefinite=indefinite,
            )
        )
    codes = [c.code for c in classes]
    if len(set(codes)) != len(codes):
        raise RetentionConfigError("classes: each code must be used once")
    return tuple(classes)


@cache
def retention_classes() -> tuple[RetentionClass, ...]:
    return parse_classes(json.loads(DATA.read_text(encoding="utf-8")))


# --- the rules (pure) ---------------------------------------------------------------------------------


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a year that has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about one person's record."""

    date_of_birth: dt.date | None
    first_contact: dt.date | None
    last_contact: dt.date | None
    died_on: dt.date | None = None
    legal_hold: bool = False
    open_subject_access_request: bool = False


@dataclass(frozen=True)
class Applied:
    """One class that applies to the record, and the date it gives (None: never while it applies)."""

    code: str
    name: str
    date: dt.date | None

    def as_json(self) -> dict[str, str | None]:
        return {"code": self.code, "name": self.name, "date": self.date.isoformat() if self.date else None}


@dataclass(frozen=True)
class Retention:
    applied: tuple[Applied, ...]
    # The latest date of the dated classes; None when an indefinite class applies or nothing does.
    date: dt.date | None
    blocked_by: tuple[str, ...] = field(default=())  # names of the indefinite classes that apply

    def due(self, today: dt.date) -> bool:
        return self.date is not None and self.date < today


def _applies(rc: RetentionClass, facts: Facts) -> bool:
    if rc.applies_when == "always":
        return True
    if rc.applies_when == "legal_hold":
        return facts.legal_hold
    if rc.applies_when == "open_subject_access_request":
        return facts.open_subject_access_request
    # under_18_in_care: under 18 when the team first worked with them.
    born, first = facts.date_of_birth, facts.first_contact
    return born is not None and first is not None and age_on(born, first) < 18


def _term_date(term: Term, facts: Facts) -> dt.date | None:
    if term.only_if == "17_at_end_of_care" and not (
        facts.date_of_birth and facts.last_contact and age_on(facts.date_of_birth, facts.last_contact) == 17
    ):
        return None
    anchor = facts.last_contact if term.after == "last_contact" else facts.date_of_birth
    return add_years(anchor, term.years) if anchor is not None else None


def class_date(rc: RetentionClass, facts: Facts) -> dt.date | None:
    """The date a dated class gives: the latest of its terms, or the death term if that is sooner."""
    dates = [d for d in (_term_date(t, facts) for t in rc.terms) if d is not None]
    found = max(dates) if dates else None
    if rc.after_death_years is not None and facts.died_on is not None:
        after_death = add_years(facts.died_on, rc.after_death_years)
        found = after_death if found is None else min(found, after_death)
    return found


def evaluate(facts: Facts, classes: Iterable[RetentionClass] | None = None) -> Retention:
    """Every class that applies, and the record's retention date: the latest of them (longest wins)."""
    applied: list[Applied] = []
    for rc in retention_classes() if classes is None else classes:
        if not _applies(rc, facts):
            continue
        if rc.indefinite:
            applied.append(Applied(rc.code, rc.name, None))
            continue
        date = class_date(rc, facts)
        if date is not None:
            applied.append(Applied(rc.code, rc.name, date))
    blocked = tuple(a.name for a in applied if a.date is None)
    dated = [a.date for a in applied if a.date is not None]
    return Retention(tuple(applied), None if blocked or not dated else max(dated), blocked)


# --- the facts, from the database ---------------------------------------------------------------------


class Activity(NamedTuple):
    """Work done with or for the person that counts as contact too, beside arrivals, closings and
    contacts (a drop-in visit is already a contact). `column` is a date or a moment."""

    name: str  # the annotation
    model: str  # "app.model"
    path: str  # from the row to the person
    column: str
    left_out: Q  # rows that do not count


ACTIVITY: tuple[Activity, ...] = (
    Activity("r_last_referral_step", "referrals.referralstatus", "referral__episode__person", "at", Q()),
    # An appointment, past or booked (a booked one means the work is still going on), unless cancelled.
    Activity(
        "r_last_appointment",
        "referrals.appointment",
        "episode__person",
        "starts_at",
        Q(attendance="cancelled"),
    ),
    Activity("r_last_advice_action", "advice.adviceaction", "record__episode__person", "done_on", Q()),
    Activity("r_last_advice_outcome", "advice.adviceoutcome", "record__episode__person", "achieved_on", Q()),
    Activity("r_last_crisis_plan", "support.crisisplan", "episode__person", "updated_at", Q()),
    # When the team was told of a crisis, which may be long after it happened.
    Activity("r_last_crisis_event", "support.crisisevent", "episode__person", "recorded_at", Q()),
)
LAST_CONTACT = ("r_last_arrival", "r_last_closed", "r_last_contact", *(a.name for a in ACTIVITY))
# Dated records about the person that are NOT contact, decided, with the reason (docs/rights.md).
NOT_CONTACT: dict[str, str] = {
    # Sharing is not work with the person, and a link is opened when its recipient chooses: a court
    # clerk opening a report, or a partner's feedback, must not keep a record longer.
    "consent.disclosure": "sharing information is not contact; a link is opened when its recipient chooses",
    "reports.sharelink": "a link is made, opened and revoked for the recipient, not with the person",
    "reports.partnerfeedback": "the recipient's view of a report, given when they choose",
    # A report is written from the assessment for an open episode (never a closed one): the episode's
    # arrival, contacts and closing already date the work, as they do for assessments and screenings.
    "reports.report": "written from the assessment within an open episode, whose contacts and closing count",
    "reports.reportversion": "a revision or sign-off of a report is paperwork about work already dated",
    # Recording a consent or deciding a lawful basis is done at a contact, or about sharing.
    "consent.consent": "recorded at a contact, which counts; a withdrawal is the person's choice, not care",
    "consent.sharingbasis": "a decision about sharing, made by the team without the person",
}


def _activity(kind: Activity) -> Subquery:
    """The newest `column` of the person's rows of one kind (the apps are looked up, not imported)."""
    from django.apps import apps

    rows = apps.get_model(kind.model).objects.filter(**{kind.path: OuterRef("pk")}).exclude(kind.left_out)
    return Subquery(rows.order_by().values(kind.path).annotate(v=Max(kind.column)).values("v")[:1])


def with_facts(people: QuerySet[Person]) -> QuerySet[Person]:
    """The people annotated with what the rules need: one query for any number of them."""
    episodes = Episode.objects.filter(person=OuterRef("pk")).order_by().values("person")
    contacts = Contact.objects.filter(episode__person=OuterRef("pk")).order_by().values("episode__person")
    return people.annotate(
        r_first_arrival=Subquery(episodes.annotate(v=Min("arrival_at")).values("v")[:1]),
        r_last_arrival=Subquery(episodes.annotate(v=Max("arrival_at")).values("v")[:1]),
        r_last_closed=Subquery(episodes.annotate(v=Max("closed_at")).values("v")[:1]),
        r_last_contact=Subquery(contacts.annotate(v=Max("at")).values("v")[:1]),
        **{kind.name: _activity(kind) for kind in ACTIVITY},
        r_died=Subquery(
            episodes.filter(closure_reason=ClosureReason.DIED).annotate(v=Max("closed_at")).values("v")[:1]
        ),
        r_hold=Exists(LegalHold.objects.filter(person=OuterRef("pk"), lifted_at__isnull=True)),
        r_sar=Exists(SubjectAccessRequest.objects.filter(person=OuterRef("pk"), fulfilled_at__isnull=True)),
    )


def _day(value: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date()
    return value


def facts_of(person: Person) -> Facts:
    """Facts from a person annotated by `with_facts`. A record with no episode counts from its creation."""
    days = [day for name in LAST_CONTACT if (day := _day(getattr(person, name, None))) is not None]
    last = max(days) if days else _day(person.created_at)
    first = getattr(person, "r_first_arrival", None) or person.created_at
    return Facts(
        date_of_birth=person.date_of_birth,
        first_contact=_day(first),
        last_contact=last,
        died_on=_day(getattr(person, "r_died", None)),
        legal_hold=bool(getattr(person, "r_hold", False)),
        open_subject_access_request=bool(getattr(person, "r_sar", False)),
    )


def retention_of(person: Person) -> Retention:
    """The person's retention now (one query)."""
    return evaluate(facts_of(with_facts(Person.objects.filter(pk=person.pk)).get()))


@dataclass(frozen=True)
class Panel:
    """What the person page's retention panel needs, from one query."""

    retention: Retention
    destruction: DestructionRecord | None
    any_holds: bool


def retention_panel(person: Person) -> Panel:
    annotated = (
        with_facts(Person.objects.filter(pk=person.pk))
        .select_related("destruction_record")
        .annotate(r_any_hold=Exists(LegalHold.objects.filter(person=OuterRef("pk"))))
        .get()
    )
    destruction = getattr(annotated, "destruction_record", None)
    return Panel(evaluate(facts_of(annotated)), destruction, bool(getattr(annotated, "r_any_hold", False)))


def retention_due(person: Person, today: dt.date | None = None) -> bool:
    """True when the record is past its retention date and nothing (a hold, an open request) blocks it."""
    return retention_of(person).due(today or timezone.localdate())


def team_people(team_id: int) -> QuerySet[Person]:
    """The team's people (an episode with the team, or registered by it), not destroyed, not merged away."""
    from liaison.matching.records import merged_away

    related = Episode.objects.filter(person=OuterRef("pk"), team_id=team_id)
    return Person.objects.filter(
        Exists(related) | Q(registered_by_team_id=team_id),
        ~merged_away(),
        destruction_record__isnull=True,
    )


@dataclass(frozen=True)
class PastRetention:
    person: Person
    facts: Facts
    retention: Retention


def team_past_retention(team_id: int, today: dt.date | None = None) -> list[PastRetention]:
    """The team's people past their retention date, longest overdue first (one query).

    The rules are data, so the dates are worked out in Python over the team's people; the query reads
    only the columns the rules and the list need.
    """
    today = today or timezone.localdate()
    people = with_facts(team_people(team_id)).only(
        "pk", "given_name", "family_name", "date_of_birth", "created_at"
    )
    found = []
    for person in people.iterator(chunk_size=2000):
        facts = facts_of(person)
        retention = evaluate(facts)
        if retention.due(today):
            found.append(PastRetention(person, facts, retention))
    found.sort(key=lambda item: (item.retention.date, item.person.pk))
    return found
