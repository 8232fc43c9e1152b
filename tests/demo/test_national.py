"""`liaison seed --scale national` at tiny size: the bulk path gives consistent, valid data, both engines."""

from __future__ import annotations

import datetime as dt
import gc
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone

from liaison.assessment.models import Assessment, Need
from liaison.core.audit import verify_chain
from liaison.core.models import AuditEvent, User
from liaison.demo import national
from liaison.demo.generator import TARGETS
from liaison.demo.models import SyntheticProfile
from liaison.episodes.models import Episode, EpisodeStatus, Stage, Task
from liaison.matching.models import MatchKey, TermFrequency
from liaison.matching.services.keys import match_keys_add, match_keys_rebuild
from liaison.people.models import Person
from liaison.referrals.models import Appointment, Referral, ReferralStatus

AS_OF = "2026-11-02T09:30"
PEOPLE = 300
KEY_TIMES = {
    Stage.IDENTIFIED: "identified_at",
    Stage.SCREENED: "screened_at",
    Stage.ASSESSED: "assessed_at",
    Stage.SUPPORT: "support_at",
    Stage.CLOSED: "closed_at",
}


@pytest.fixture
def small_chunks(monkeypatch):
    # Three chunks of 100 people: the chunk boundaries, id ranges and the audit chain across them.
    monkeypatch.setattr(national, "CHUNK", 100)


def _seed(*extra: str) -> str:
    out = io.StringIO()
    call_command(
        "seed",
        "--scale",
        "national",
        "--people",
        str(PEOPLE),
        "--services",
        "150",
        "--workers",
        "0",
        "--seed",
        "7",
        "--as-of",
        AS_OF,
        *extra,
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


@pytest.fixture
def loaded(db, small_chunks):
    return _seed()


def test_every_person_and_episode_is_there_and_linked(loaded):
    assert "Seeded 300 synthetic people" in loaded
    assert Person.objects.count() == PEOPLE
    assert SyntheticProfile.objects.count() == PEOPLE
    local_ids = sorted(Person.objects.values_list("local_id", flat=True))
    assert local_ids == [f"NAT-{i:07d}" for i in range(1, PEOPLE + 1)]
    people = set(Person.objects.values_list("pk", flat=True))
    episodes = list(Episode.objects.values_list("pk", "person_id"))
    assert {person for _, person in episodes} <= people
    assert not Task.objects.exclude(episode_id__in=[pk for pk, _ in episodes]).exists()
    assert not Need.objects.exclude(assessment__in=Assessment.objects.all()).exists()
    assert not ReferralStatus.objects.exclude(referral__in=Referral.objects.all()).exists()
    assert not Appointment.objects.exclude(referral__in=Referral.objects.all()).exists()


def test_stages_agree_with_key_times_and_status_rows(loaded):
    episodes = list(Episode.objects.all())
    statuses: dict[int, dict[str, dt.datetime]] = {}
    for episode_id, stage, at in EpisodeStatus.objects.values_list("episode_id", "stage", "at"):
        statuses.setdefault(episode_id, {})[stage] = at
    for episode in episodes:
        times = [episode.arrival_at] + [getattr(episode, f) for f in KEY_TIMES.values()]
        present = [t for t in times if t is not None]
        assert present == sorted(present), episode.pk  # each step after the one before
        assert getattr(episode, KEY_TIMES[episode.stage]) is not None
        assert (episode.stage == Stage.CLOSED) == (episode.closed_at is not None)
        recorded = {stage: getattr(episode, f) for stage, f in KEY_TIMES.items() if getattr(episode, f)}
        assert statuses[episode.pk] == recorded


def test_proportions_are_national_ones(loaded):
    episodes = Episode.objects.count()
    # About 1.67 episodes a person (a million for 600,000 people).
    assert 1.45 <= episodes / PEOPLE <= 1.9
    first = Episode.objects.order_by("arrival_at").values_list("arrival_at", flat=True).first()
    as_of = timezone.make_aware(dt.datetime.fromisoformat(AS_OF))
    assert (as_of - first).days > 3 * 365  # five years of history, not the demo's three
    closed = Episode.objects.filter(stage=Stage.CLOSED).count()
    assert closed / episodes > 0.85  # most of five years' episodes are long over
    assessed = Episode.objects.filter(assessed_at__isnull=False).count()
    assert 0.3 <= assessed / episodes <= 0.9
    assert Need.objects.count() > Assessment.objects.count()
    assert Referral.objects.exists()
    profiles = SyntheticProfile.objects.all()
    for name, target in TARGETS.items():
        share = profiles.filter(**{name: True}).count() / PEOPLE
        assert abs(share - target) <= 0.06, name


def test_identifiers_are_never_shared(loaded):
    numbers = [n for n in Person.objects.values_list("nhs_number", flat=True) if n]
    pncs = [n for n in Person.objects.values_list("pnc_id", flat=True) if n]
    assert 0.7 <= len(numbers) / PEOPLE <= 0.95
    assert len(set(numbers)) == len(numbers)
    assert len(set(pncs)) == len(pncs)
    assert all(n.startswith("999") for n in numbers)


def test_audit_chain_is_whole_with_an_event_per_stage_change(loaded):
    assert list(verify_chain()) == []
    events = Counter(AuditEvent.objects.values_list("action", flat=True))
    assert events["episode.create"] == Episode.objects.count()
    assert events["episode.create"] + events["episode.stage"] == EpisodeStatus.objects.count()
    assert events["demo.seed"] == 1
    # Each event names the worker who moved the episode on, and the person.
    first = AuditEvent.objects.filter(action="episode.create").order_by("id").first()
    episode = Episode.objects.get(pk=int(first.object_id))
    assert first.person_id == episode.person_id
    assert first.actor_id == EpisodeStatus.objects.get(episode=episode, stage=Stage.IDENTIFIED).by_id


def test_new_records_after_the_load_get_fresh_ids(loaded):
    # The load gives ids itself; the sequences must have moved past them (PostgreSQL).
    person = Person.objects.create(given_name="After", family_name="Load")
    assert person.pk > Person.objects.exclude(pk=person.pk).order_by("-pk").values_list("pk", flat=True)[0]


def test_worklist_stays_within_its_query_budget(loaded, django_assert_max_num_queries, client):
    practitioner = User.objects.get(username="practitioner")
    client.force_login(practitioner)
    with django_assert_max_num_queries(25):
        response = client.get("/")
    assert response.status_code == 200


def _matching_index() -> tuple[Counter, Counter]:
    keys = Counter(MatchKey.objects.values_list("person_id", "kind", "value"))
    frequencies = Counter(TermFrequency.objects.values_list("kind", "value", "count"))
    return keys, frequencies


def test_a_fresh_load_needs_no_rebuild_of_the_keys(db, small_chunks, monkeypatch):
    def no_rebuild(**kwargs):
        raise AssertionError("the load made the keys: no pass over every person is needed")

    monkeypatch.setattr(national, "match_keys_rebuild", no_rebuild)
    assert "Seeded 300 synthetic people" in _seed()
    assert_collector_as_before()
    assert TermFrequency.objects.get(kind="*").count == PEOPLE


def test_the_load_writes_the_matching_keys_and_frequencies_a_rebuild_would(loaded):
    # The workers make each chunk's keys from the rows they generate; the term frequencies are the
    # chunks' counts added up. Both must be exactly what a rebuild from the saved people gives.
    keys, frequencies = _matching_index()
    people = set(Person.objects.values_list("pk", flat=True))
    assert {person_id for person_id, _kind, _value in keys} == people
    assert sum(keys.values()) > 3 * PEOPLE and max(keys.values()) == 1
    assert (TermFrequency.objects.get(kind="*").count) == PEOPLE and len(frequencies) > PEOPLE
    assert f"person-matching keys: {sum(keys.values())}" in loaded
    match_keys_rebuild()
    assert _matching_index() == (keys, frequencies)


def stopped_load(monkeypatch, at: int) -> None:
    """A load stopped (as by Ctrl-C) when chunk `at` is asked for; later chunks are made as usual."""
    real = national._make_chunk

    def stop_once(index: int):
        if index == at:
            monkeypatch.setattr(national, "_make_chunk", real)
            raise KeyboardInterrupt
        return real(index)

    monkeypatch.setattr(national, "_make_chunk", stop_once)
    with pytest.raises(KeyboardInterrupt):
        _seed()
    assert_collector_as_before()


def assert_collector_as_before() -> None:
    """A load pauses Python's garbage collector and freezes what it made first: after it, stopped
    or not, the collector runs and nothing stays frozen."""
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_stopped_load_resumes_where_it_stopped(db, small_chunks, monkeypatch):
    stopped_load(monkeypatch, at=2)
    assert Person.objects.count() == 200  # two whole chunks, committed
    someone = 0
    if connection.vendor == "postgresql":
        # Someone records a person while the load is stopped: the ids still to come are kept free.
        Person.objects.create(given_name="Meanwhile", family_name="Recorded")
        someone = 1
    out = _seed("--resume")
    assert "Seeded 300 synthetic people" in out
    assert Person.objects.count() == PEOPLE + someone
    assert list(verify_chain()) == []
    per_episode = EpisodeStatus.objects.values("episode").annotate(n=Count("pk")).filter(n=0)
    assert not per_episode.exists()
    assert not Episode.objects.filter(Q(closed_at__lt=F("arrival_at"))).exists()
    # The keys of the chunks before the stop, of those after, and of the person recorded meanwhile.
    keyed = set(MatchKey.objects.values_list("person_id", flat=True))
    assert keyed == set(Person.objects.values_list("pk", flat=True))
    assert TermFrequency.objects.get(kind="*").count == PEOPLE + someone


def test_a_load_stopped_before_its_first_chunk_counts_everyone_when_resumed(db, small_chunks, monkeypatch):
    stopped_load(monkeypatch, at=0)
    assert not Person.objects.exists()
    someone = 0
    if connection.vendor == "postgresql":  # the ids the load will use are kept free there only
        meanwhile = Person.objects.create(given_name="Meanwhile", family_name="Recorded")
        match_keys_add([meanwhile])
        someone = 1
    _seed("--resume")
    assert TermFrequency.objects.get(kind="*").count == PEOPLE + someone
    keys, frequencies = _matching_index()
    match_keys_rebuild()
    assert _matching_index() == (keys, frequencies)


def test_the_national_load_refuses_tables_already_holding_rows(db, small_chunks):
    _seed()
    with pytest.raises(Exception, match="already"):
        _seed()


def test_the_country_is_shared_by_many_teams_in_fictional_areas(loaded):
    from liaison.core.models import Membership, Role, Site, Team
    from liaison.demo.staff import TEAMS, national_teams

    specs = national_teams(national.NATIONAL_TEAMS)
    assert Team.objects.count() == national.NATIONAL_TEAMS == len(specs)
    assert len({s.code for s in specs}) == len({s.postcode_area for s in specs}) == len(specs)
    assert len({s.town for s in specs}) == len(specs)
    extra = [s for s in specs if s.code not in {t.code for t in TEAMS}]
    # No real UK postcode area starts with Q, V or X; J and Z only in JE and ZE, never used here.
    assert all(s.postcode_area[0] in "QVXZJ" and s.postcode_area not in {"JE", "ZE"} for s in extra)
    assert sum(s.share for s in specs) == pytest.approx(1.0)
    # Every team has its sites (named for its town) and a team lead; the demo logins stay as they were.
    for team in Team.objects.all():
        assert Site.objects.filter(team=team).exists()
        assert Membership.objects.filter(team=team, role=Role.TEAM_LEAD).exists()
    town = extra[0].town
    assert Site.objects.filter(name__startswith=f"{town} ").count() == len(extra[0].sites)
    assert User.objects.filter(username="lead", memberships__team__code="kestrelford").exists()
    # People arrive at many teams, not the three demo teams only.
    assert Episode.objects.values("team").distinct().count() > 50


def test_the_number_of_teams_is_checked(db):
    from liaison.demo.staff import national_teams

    with pytest.raises(ValueError, match="--teams must be 3 to"):
        national_teams(2)
    with pytest.raises(ValueError, match="--teams must be"):
        national_teams(10_000)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="workers make COPY data on PostgreSQL only")
def test_copy_data_made_on_a_workers_own_connection_loads_the_rows_it_was_made_from(db, monkeypatch):
    # Workers turn rows into COPY's text format (national._table_rows) on a connection of their own
    # and the writer sends the bytes as they are: the table must then hold what sending the rows one
    # by one on the writer's connection gives.
    bst = dt.timezone(dt.timedelta(hours=1))
    rows = [
        (1, "tab\there", dt.datetime(2026, 6, 1, 9, 30, tzinfo=bst), dt.date(2026, 6, 1), True, '{"a": 1}'),
        (2, "line\nbreak \\ back\\slash\r", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), None, False, "[]"),
        (3, "Siân O’Brien \\N", None, dt.date(1970, 1, 1), None, None),
        (4, "", dt.datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=dt.UTC), dt.date(2000, 2, 29), True, "{}"),
    ]
    columns = ["id", "note", "at", "on_day", "flag", "detail"]
    workers = connection.copy()  # as a forked worker's: the same settings, a connection of its own
    monkeypatch.setattr(national, "connection", workers)
    try:
        data = national._table_rows("x", columns, rows, "postgresql")
        assert workers.connection is not None  # it did open its own
    finally:
        workers.close()
        monkeypatch.undo()
    assert isinstance(data.rows, bytes) and data.count == len(rows)
    with connection.cursor() as cursor:
        for table in ("copied_rows", "copied_bytes"):
            cursor.execute(
                f"CREATE TEMP TABLE {table} "
                "(id int, note text, at timestamptz, on_day date, flag boolean, detail jsonb)"
            )
        national._write("copied_rows", columns, rows)
        national._write("copied_bytes", columns, data.rows)
        cursor.execute("SELECT * FROM copied_rows ORDER BY id")
        expected = cursor.fetchall()
        cursor.execute("SELECT * FROM copied_bytes ORDER BY id")
        assert cursor.fetchall() == expected
    assert [r[1] for r in expected] == [r[1] for r in rows]
    assert expected[0][2] == rows[0][2] and expected[2][2] is None
