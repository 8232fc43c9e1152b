"""liaison.demo.rows.instance: the generators' fast constructor gives what Model.__init__ gives."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from liaison.assessment.models import Assessment, Need, PlanAction, PlanOrder
from liaison.core.models import Team, User
from liaison.demo.models import SyntheticProfile
from liaison.demo.rows import instance, sync_keys
from liaison.episodes.models import Contact, Episode, EpisodeStatus, Task
from liaison.people.models import Alias, Person, PersonContact
from liaison.referrals.models import Appointment, Referral

AT = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


def _state(obj):
    return {
        "fields": {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields},
        "cached": dict(obj._state.fields_cache),
        "adding": obj._state.adding,
        "db": obj._state.db,
    }


def _cases():
    person = Person(given_name="Ada", family_name="Stone")
    saved_user = User(pk=7, username="worker")
    team = Team(pk=3, code="t", name="T")
    episode = Episode(person=person, team=team, arrival_at=AT, stage="identified")
    assessment = Assessment(episode=episode, number=1)
    referral = Referral(episode=episode, team=team, need_key="housing", service_id=11)
    return [
        (Person, {"given_name": "Ada", "family_name": "Stone"}),
        (Episode, {"person": person, "team": team, "arrival_at": AT, "allocated_worker": None}),
        (EpisodeStatus, {"episode": episode, "stage": "screened", "at": AT, "by": saved_user, "note": ""}),
        (Contact, {"episode": episode, "at": AT, "channel": "phone", "successful": True, "by": saved_user}),
        (Task, {"episode": episode, "title": "Call", "due": AT.date(), "owner": saved_user, "done_by": None}),
        (Need, {"assessment": assessment, "key": "housing", "level": "high", "evidence": "x"}),
        (PlanAction, {"episode": episode, "need_key": "housing", "owner": saved_user, "task": None}),
        (Task, {"episode_id": 5, "title": "By id", "due": AT.date()}),
        # The other models the generators build this way, with the kinds of value they pass.
        (
            Alias,
            {"person": person, "given_name": "Ada", "family_name": "Stone", "family_name_search": "stone"},
        ),
        (
            PersonContact,
            {"person": person, "relationship": "carer", "name": "Bo Stone", "phone": "07700900001"},
        ),
        (SyntheticProfile, {"person": person, "seed": 7, "severe_mental_illness": True}),
        (Assessment, {"episode": episode, "number": 2, "by": saved_user, "started_at": AT, "updated_at": AT}),
        (
            PlanOrder,
            {"assessment": assessment, "keys": ["housing"], "reason": "r", "by": saved_user, "at": AT},
        ),
        (
            Referral,
            {"episode": episode, "team": team, "need_key": "housing", "service_id": 11, "kind": "signpost"},
        ),
        (
            Appointment,
            {"episode": episode, "referral": referral, "service_id": 11, "starts_at": AT, "ends_at": AT},
        ),
    ]


@pytest.mark.parametrize(("model", "values"), _cases(), ids=lambda v: getattr(v, "__name__", ""))
def test_instance_gives_what_the_constructor_gives(model, values):
    with time_machine.travel(AT, tick=False):  # defaults such as created_at=timezone.now agree
        assert _state(instance(model, **values)) == _state(model(**values))


def test_a_default_made_afresh_is_made_for_each_row_and_only_when_not_given():
    first, second = instance(Assessment, number=1), instance(Assessment, number=2)
    # A list of its own each (default=list), as the constructor gives: one row's change is not another's.
    first.person_priorities.append("housing")
    assert second.person_priorities == []
    # created_at=timezone.now: the time of making, unless one is given.
    with time_machine.travel(AT, tick=False):
        assert instance(Task, title="Call").created_at == AT
    given = AT - dt.timedelta(days=3)
    assert instance(Task, title="Call", created_at=given).created_at == given


def test_a_one_to_one_is_cached_both_ways_as_the_constructor_does():
    task = Task(title="Book GP")
    action = instance(PlanAction, task=task, need_key="housing")
    assert action.task is task and task.plan_action is action


def test_an_unknown_field_is_refused():
    with pytest.raises(TypeError, match="Task has no field colour"):
        instance(Task, colour="red")


def test_a_field_given_twice_is_refused_by_name():
    with pytest.raises(TypeError, match="Task: one field given twice, as episode and episode_id"):
        instance(Task, episode=Episode(), episode_id=5)


def test_sync_keys_fills_empty_keys_from_objects_numbered_after_the_row_was_built():
    person, team = Person(given_name="Ada", family_name="Stone"), Team(code="t", name="T")
    episode = instance(Episode, person=person, team=team)
    kept = instance(Episode, person=person, team_id=99)
    assert episode.person_id is None
    person.pk, team.pk = 41, 3  # the loader numbers the rows
    sync_keys([episode, kept])
    assert (episode.person_id, episode.team_id) == (41, 3)
    assert (kept.person_id, kept.team_id) == (41, 99)  # a key already set stays as it was


def test_a_related_object_saved_later_gives_its_id_to_bulk_create(db):
    # The loaders set ids after building rows: the cached object carries them, as with Model.__init__.
    person = instance(Person, given_name="Later", family_name="Saved")
    assert person.pk is None
    person.save()
    episode = instance(Episode, person=person)
    assert episode.person_id == person.pk and episode.person is person
