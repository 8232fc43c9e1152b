"""`liaison seed` and `liaison demo-logins`: determinism, reset, the audit trail and production safety."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from liaison.core.audit import verify_chain
from liaison.core.models import AuditEvent, Team
from liaison.demo.models import CONDITION_FIELDS, SyntheticProfile
from liaison.demo.services import DemoDataExists, demo_seed
from liaison.demo.staff import TEAMS
from liaison.episodes.models import Contact, Episode, EpisodeStatus, Task
from liaison.people.models import Alias, Person, PersonContact

STAGE_FIELDS = ["arrival_at", "identified_at", "screened_at", "assessed_at", "support_at", "closed_at"]


def _now() -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0)


def digest() -> str:
    """A fingerprint of every generated row, by natural keys (database ids differ between runs)."""
    person = "person__local_id"
    episode_key = ("episode__person__local_id", "episode__arrival_at")
    tables = [
        Person.objects.order_by("local_id").values_list(
            "local_id", "given_name", "family_name", "preferred_name", "date_of_birth", "sex", "ethnicity",
            "nhs_number", "pnc_id", "postcode", "no_fixed_abode", "language", "interpreter_needed",
            "communication_needs", "easy_read", "veteran", "care_leaver", "gender_identity", "created_at",
        ),
        Alias.objects.order_by(person, "family_name", "given_name").values_list(
            person, "given_name", "family_name"
        ),
        PersonContact.objects.order_by(person, "relationship", "name").values_list(
            person, "relationship", "name", "phone", "email", "notes"
        ),
        SyntheticProfile.objects.order_by(person).values_list(person, *CONDITION_FIELDS),
        Episode.objects.order_by(person, "arrival_at").values_list(
            person, "team__code", "site__name", "pathway_point", "referral_source", "offence_category",
            "custody_number", "stage", "closure_reason", "justice_outcome", "age_group",
            "allocated_worker__username", *STAGE_FIELDS,
        ),
        EpisodeStatus.objects.order_by(*episode_key, "at").values_list(
            *episode_key, "stage", "at", "by__username", "note"
        ),
        Contact.objects.order_by(*episode_key, "at", "channel", "note").values_list(
            *episode_key, "at", "channel", "successful", "note", "by__username"
        ),
        Task.objects.order_by(*episode_key, "created_at", "title").values_list(
            *episode_key, "title", "due", "created_at", "done_at", "owner__username", "created_by__username"
        ),
    ]  # fmt: skip
    rows = [[list(row) for row in table] for table in tables]
    return hashlib.sha256(json.dumps(rows, default=_plain).encode()).hexdigest()


def _plain(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return str(value)


# --- determinism -----------------------------------------------------------------------------------


def test_same_seed_and_size_give_identical_data_and_another_seed_does_not(db):
    now = _now()
    demo_seed(people=200, seed=11, now=now)
    first = digest()
    assert Person.objects.count() == 200
    demo_seed(people=200, seed=11, now=now, reset=True)
    assert digest() == first
    assert Person.objects.count() == 200
    demo_seed(people=200, seed=12, now=now, reset=True)
    assert digest() != first


def test_the_command_is_reproducible_with_as_of(db):
    as_of = (_now() - dt.timedelta(days=2)).isoformat()
    out = io.StringIO()
    call_command("seed", people=100, seed=5, as_of=as_of, reset=True, stdout=out, stderr=io.StringIO())
    first = digest()
    call_command(
        "seed", "--people=100", "--seed=5", f"--as-of={as_of}", "--reset", stdout=out, stderr=io.StringIO()
    )
    assert digest() == first
    assert "Seeded 100 synthetic people (seed 5" in out.getvalue()


# --- safety, reset and audit -----------------------------------------------------------------------


def test_a_second_run_without_reset_is_refused_and_changes_nothing(db):
    demo_seed(people=20, seed=1)
    with pytest.raises(DemoDataExists):
        demo_seed(people=20, seed=2)
    assert Person.objects.count() == 20
    with pytest.raises(CommandError, match="--reset"):
        call_command("seed", people=20, seed=2, stdout=io.StringIO(), stderr=io.StringIO())


def test_reset_replaces_the_data_and_keeps_the_audit_chain(db):
    before = AuditEvent.objects.count()
    demo_seed(people=40, seed=1)
    demo_seed(people=25, seed=2, reset=True)
    assert Person.objects.count() == 25
    assert SyntheticProfile.objects.count() == 25
    assert Team.objects.filter(code__in=[t.code for t in TEAMS]).count() == len(TEAMS)
    # One audit event per run, none deleted, and the chain still verifies.
    seeds = AuditEvent.objects.filter(action="demo.seed").order_by("id")
    assert AuditEvent.objects.count() == before + 2
    assert [e.detail["seed"] for e in seeds] == [1, 2]
    assert seeds.last().detail["reset"] is True
    assert list(verify_chain()) == []


def test_reset_also_removes_people_added_to_demo_teams_by_hand(db):
    demo_seed(people=10, seed=3)
    episode = Episode.objects.first()
    extra = Person.objects.create(
        given_name="Added", family_name="Byhand", given_name_search="added", family_name_search="byhand"
    )
    Episode.objects.create(
        person=extra,
        team=episode.team,
        site=episode.site,
        pathway_point=episode.pathway_point,
        referral_source=episode.referral_source,
        arrival_at=episode.arrival_at,
        identified_at=episode.identified_at,
    )
    demo_seed(people=10, seed=3, reset=True)
    assert not Person.objects.filter(pk=extra.pk).exists()
    assert Person.objects.count() == 10


@override_settings(DEBUG=False, DEMO=False, TESTING=False)
def test_refuses_to_seed_a_production_configuration_unless_forced(db):
    with pytest.raises(CommandError, match="production"):
        call_command("seed", people=5, seed=1, stdout=io.StringIO(), stderr=io.StringIO())
    assert not Person.objects.exists()
    call_command("seed", people=5, seed=1, force=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert Person.objects.count() == 5


def test_bad_arguments_get_clear_errors(db):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed", people=0, stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="future"):
        call_command("seed", people=5, as_of="2999-01-01T00:00", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("seed", "--people=5", "--as-of=next tuesday", stdout=io.StringIO(), stderr=io.StringIO())


def test_demo_logins_says_what_to_do_when_there_are_none(db):
    with pytest.raises(CommandError, match="liaison seed"):
        call_command("demo_logins", stdout=io.StringIO())
