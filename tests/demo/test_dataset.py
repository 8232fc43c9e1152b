"""The seeded data set: calibrated to its documented targets, internally consistent, ready to demo.

One 2,000-person data set is built once for the module (inside a transaction rolled back at the end).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from liaison.core.models import AuditEvent, Membership, Role, SiteKind, Team, User
from liaison.demo.generator import TARGETS
from liaison.demo.models import CONDITION_FIELDS, SyntheticProfile
from liaison.demo.services import demo_seed
from liaison.demo.staff import DEMO_PASSWORD, TEAMS
from liaison.episodes.models import Contact, Episode, EpisodeStatus, Stage, Task
from liaison.identification.models import Arrival, ArrivalStatus, FlagSource, ImportBatch
from liaison.identification.queries import candidate_people, review_worklist
from liaison.people.identifiers import nhs_number_problem, pnc_id_problem
from liaison.people.models import Alias, ContactRelationship, Person, PersonContact

# The prevalence check needs enough people for two percentage points to mean something.
CALIBRATION_PEOPLE = 2000
STAGE_FIELDS = ["arrival_at", "identified_at", "screened_at", "assessed_at", "support_at", "closed_at"]


def _now() -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One 2,000-person data set shared by this module, rolled back when the module is done."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        summary = demo_seed(people=CALIBRATION_PEOPLE, seed=2026, now=_now())
    yield summary
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


# --- calibration -----------------------------------------------------------------------------------


def test_each_condition_is_within_two_points_of_its_documented_target(seeded, db):
    n = SyntheticProfile.objects.count()
    assert n == CALIBRATION_PEOPLE
    for name, target in TARGETS.items():
        share = SyntheticProfile.objects.filter(**{name: True}).count() / n
        assert abs(share - target) <= 0.02, f"{name}: {share:.3f} against a target of {target}"


def test_profiles_are_internally_consistent(seeded, db):
    for profile in SyntheticProfile.objects.all():
        held = [getattr(profile, name) for name in CONDITION_FIELDS]
        assert profile.any_diagnosable_mental_health_problem == any(held)
        assert profile.two_or_more_mental_health_problems == (sum(held) >= 2)
    # Children are not given a personality disorder diagnosis.
    first_arrival = Min("person__episodes__arrival_at")
    for profile in (
        SyntheticProfile.objects.filter(personality_disorder=True)
        .annotate(first=first_arrival)
        .select_related("person")
    ):
        assert profile.person.age_on(timezone.localdate(profile.first)) >= 18


# --- people ----------------------------------------------------------------------------------------


def test_ages_on_arrival_are_10_to_80_and_both_pathways_are_used(seeded, db):
    groups: Counter[str] = Counter()
    for episode in Episode.objects.select_related("person", "site"):
        age = episode.person.age_on(timezone.localdate(episode.arrival_at))
        assert 10 <= age <= 80
        assert episode.age_group == ("adult" if age >= 18 else "youth")
        if episode.age_group == "youth":
            assert episode.site.kind not in {"magistrates_court", "crown_court", "probation"}
        else:
            assert episode.site.kind != "youth_court"
        groups[episode.age_group] += 1
    assert groups["youth"] > 0.05 * sum(groups.values())
    assert groups["adult"] > 0.75 * sum(groups.values())


def test_identifiers_are_valid_and_most_but_not_all_people_have_them(seeded, db):
    people = list(Person.objects.values_list("nhs_number", "pnc_id"))
    nhs = [n for n, _ in people if n]
    pnc = [p for _, p in people if p]
    assert all(nhs_number_problem(n) is None and n.startswith("999") for n in nhs)
    assert all(pnc_id_problem(p) is None for p in pnc)
    assert len(set(nhs)) == len(nhs) and len(set(pnc)) == len(pnc)
    assert 0.7 * len(people) < len(nhs) < len(people)
    assert 0.4 * len(people) < len(pnc) < len(people)


def test_people_are_varied_and_searchable(seeded, db):
    people = Person.objects.all()
    assert all(p.given_name_search == p.given_name.lower() for p in people)
    assert all(p.family_name_search == p.family_name.lower() for p in people)
    assert len({p.ethnicity for p in people}) >= 15
    assert people.filter(no_fixed_abode=True).exists() and people.filter(no_fixed_abode=False).exists()
    assert people.filter(interpreter_needed=True).exclude(language="English").exists()
    assert people.filter(veteran=True).exists() and people.filter(care_leaver=True).exists()
    assert Alias.objects.exists()
    assert all(a.family_name_search == a.family_name.lower() for a in Alias.objects.all())


def test_under_18s_have_a_parent_or_appropriate_adult_and_adults_some_next_of_kin(seeded, db):
    youth_relationships = {ContactRelationship.PARENT_GUARDIAN, ContactRelationship.APPROPRIATE_ADULT}
    for person in Person.objects.prefetch_related("contacts", "episodes"):
        first = min(person.episodes.all(), key=lambda e: e.arrival_at)
        if person.age_on(timezone.localdate(first.arrival_at)) < 18:
            assert {c.relationship for c in person.contacts.all()} & youth_relationships, person.local_id
    assert PersonContact.objects.filter(relationship=ContactRelationship.NEXT_OF_KIN).exists()


# --- episodes --------------------------------------------------------------------------------------


def test_stage_times_only_move_forward_and_never_into_the_future(seeded, db):
    now = timezone.now()
    for episode in Episode.objects.all():
        times = [getattr(episode, name) for name in STAGE_FIELDS]
        reached = [t for t in times if t is not None]
        assert reached == sorted(reached), episode.pk
        assert reached[-1] <= now
        # No gaps before support: a stage is only reached through the ones before it (closing can
        # happen from any of them).
        steps = [t for t in times[:-1] if t is not None]
        assert times[: len(steps)] == steps
        assert (episode.closed_at is not None) == (episode.stage == Stage.CLOSED)
        if episode.stage == Stage.CLOSED:
            assert episode.closure_reason
        else:
            assert not episode.closure_reason


def test_status_rows_match_the_stages_passed_and_the_current_stage(seeded, db):
    statuses: dict[int, list[EpisodeStatus]] = {}
    for status in EpisodeStatus.objects.order_by("at", "id"):
        statuses.setdefault(status.episode_id, []).append(status)
    for episode in Episode.objects.all():
        rows = statuses[episode.pk]
        assert rows[-1].stage == episode.stage
        expected = [Stage.IDENTIFIED] + [
            stage for stage in (Stage.SCREENED, Stage.ASSESSED, Stage.SUPPORT, Stage.CLOSED)
            if getattr(episode, f"{stage}_at")
        ]  # fmt: skip
        assert [r.stage for r in rows] == expected
        assert rows[0].at == episode.identified_at
        for row in rows[1:]:
            assert row.at == getattr(episode, f"{row.stage}_at")


def test_recent_episodes_are_open_and_older_ones_mostly_closed(seeded, db):
    now = timezone.now()
    last_day = Episode.objects.filter(arrival_at__gte=now - dt.timedelta(hours=24))
    assert last_day.exclude(stage=Stage.CLOSED).count() >= 10
    older = Episode.objects.filter(arrival_at__lt=now - dt.timedelta(days=365))
    assert older.filter(stage=Stage.CLOSED).count() > 0.95 * older.count()
    assert {e.stage for e in Episode.objects.exclude(stage=Stage.CLOSED)} == {
        Stage.IDENTIFIED, Stage.SCREENED, Stage.ASSESSED, Stage.SUPPORT,
    }  # fmt: skip
    closed = Episode.objects.filter(stage=Stage.CLOSED)
    assert closed.exclude(justice_outcome="").count() > 0.7 * closed.count()
    people_with_repeats = Counter(Episode.objects.values_list("person_id", flat=True))
    assert max(people_with_repeats.values()) >= 2
    assert max(people_with_repeats.values()) <= 3


def test_episodes_are_allocated_within_their_own_team(seeded, db):
    members = set(Membership.objects.values_list("user_id", "team_id"))
    for episode in Episode.objects.exclude(allocated_worker=None):
        assert (episode.allocated_worker_id, episode.team_id) in members
    assert Episode.objects.values("site__kind").distinct().count() == 7
    assert all(e.site.team_id == e.team_id for e in Episode.objects.select_related("site"))


def test_contacts_and_tasks_look_like_casework(seeded, db):
    now = timezone.now()
    assert Contact.objects.filter(successful=False).exists()
    assert Contact.objects.values("channel").distinct().count() >= 6
    for contact in Contact.objects.select_related("episode"):
        assert contact.episode.arrival_at <= contact.at <= now
        if contact.episode.closed_at:
            assert contact.at <= contact.episode.closed_at
    today = timezone.localdate()
    overdue = Task.objects.filter(done_at=None, due__lt=today)
    assert overdue.exists()
    assert Task.objects.exclude(done_at=None).exists()
    assert not Task.objects.filter(done_at=None, episode__stage=Stage.CLOSED).exists()
    assert not Task.objects.filter(done_at__gt=now).exists()


# --- today's custody list --------------------------------------------------------------------------


def test_the_demo_practitioner_has_todays_custody_list_to_review(seeded, db, client):
    practitioner = User.objects.get(username="practitioner")
    home = Team.objects.get(code=TEAMS[0].code)
    suites = set(home.sites.filter(kind=SiteKind.POLICE_CUSTODY).values_list("pk", flat=True))
    now = timezone.now()
    arrivals = list(Arrival.objects.select_related("batch").prefetch_related("flags"))
    assert 15 <= len(arrivals) <= 25
    # Every arrival is at the home team's custody suite(s), in the last 12 hours, loaded through the
    # import service (one batch, its counts and audit event) with nothing rejected.
    assert {a.site_id for a in arrivals} <= suites and {a.team_id for a in arrivals} == {home.pk}
    assert all(now - dt.timedelta(hours=12, minutes=1) <= a.arrival_at <= now for a in arrivals)
    batch = ImportBatch.objects.get()
    assert batch.rows_created == len(arrivals) and batch.rows_rejected == 0 and not batch.problems
    assert AuditEvent.objects.filter(action="arrivals.import", object_id=str(batch.pk)).exists()
    # Some came with the custody officer's markers, matched to the code list.
    assert sum(bool(a.officer_flags) for a in arrivals) >= 5
    assert any(f.source == FlagSource.CUSTODY_RECORD for a in arrivals for f in a.flags.all())
    # A few were already reviewed overnight, through the review services.
    statuses = Counter(a.status for a in arrivals)
    assert statuses[ArrivalStatus.NO_CONCERNS] >= 1 and statuses[ArrivalStatus.FLAGGED] >= 1
    assert AuditEvent.objects.filter(action="arrival.review").count() == statuses[ArrivalStatus.NO_CONCERNS]
    assert all(a.reviewed_by is not None for a in arrivals if a.status != ArrivalStatus.TO_REVIEW)
    # Most are still to do: the worklist the practitioner sees is not empty.
    outstanding = list(review_worklist(user=practitioner, team=home))
    assert len(outstanding) >= 10
    assert statuses[ArrivalStatus.TO_REVIEW] >= 10
    # Some of them the team has seen before: opening an episode offers the existing record.
    assert sum(bool(candidate_people(practitioner, a)) for a in outstanding) >= 1
    client.force_login(practitioner)
    page = client.get("/arrivals/review").content.decode()
    assert f"{len(outstanding)} arrivals</strong> needing review or an episode" in page
    # The outsider, in another team, sees none of it.
    assert not list(review_worklist(user=User.objects.get(username="outsider"), team=home))


# --- staff and logins ------------------------------------------------------------------------------


def test_there_is_a_demo_login_for_every_role_and_an_outsider(seeded, db):
    first_team = Team.objects.get(code=TEAMS[0].code)
    roles = set(Membership.objects.filter(team=first_team).values_list("role", flat=True))
    assert roles == set(Role.values)
    outsider = Membership.objects.get(user__username="outsider")
    assert outsider.team != first_team and outsider.role == Role.PRACTITIONER
    assert authenticate(username="practitioner", password=DEMO_PASSWORD) is not None
    # One hash shared by every demo account: hashed once, not once per user.
    assert User.objects.values("password").distinct().count() == 1
    for team in Team.objects.exclude(pk=first_team.pk):
        assert team.memberships.filter(role=Role.PRACTITIONER).count() >= 2


def test_demo_logins_prints_a_table_with_one_row_per_role(seeded, db):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert "username" in text and DEMO_PASSWORD in text
    for label in Role.labels:
        assert label in text
    assert "outsider" in text and "Marrowby" in text
