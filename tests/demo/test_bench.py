"""The benchmark's choice of what to measure: the busiest team's pages, and intake into another team,
so that a second run measures the same pages and not the first run's arrivals."""

from __future__ import annotations

import random

import pytest

from liaison.core.models import Role
from liaison.demo.bench import INTAKE_NAME, subjects
from tests.factories import EpisodeFactory, PersonFactory, SiteFactory, TeamFactory, member


def test_pages_measure_the_busiest_team_and_intake_goes_to_the_quietest_other(db):
    busy, quiet, quieter = TeamFactory(code="busy"), TeamFactory(code="quiet"), TeamFactory(code="quieter")
    sites = {team.code: SiteFactory(team=team) for team in (busy, quiet, quieter)}
    for team, open_episodes in ((busy, 5), (quiet, 2), (quieter, 1)):
        member(team, Role.PRACTITIONER)
        for _ in range(open_episodes):
            EpisodeFactory(site=sites[team.code], team=team)
    member(busy, Role.TEAM_LEAD)
    chosen = subjects(random.Random(1), 3)
    assert chosen.team == busy and len(chosen.episodes) == 3
    assert chosen.intake_team == quieter
    assert chosen.intake_user.memberships.get().team == quieter


def test_the_intake_runs_own_arrivals_never_move_the_choice(db):
    # Ten runs' arrivals (1,200 open episodes each) once made the intake team the busiest: the next
    # run then measured the benchmark's own records. They are not counted, so the choice holds.
    busy, quiet, quieter = TeamFactory(code="busy"), TeamFactory(code="quiet"), TeamFactory(code="quieter")
    sites = {team.code: SiteFactory(team=team) for team in (busy, quiet, quieter)}
    for team, open_episodes in ((busy, 3), (quiet, 2), (quieter, 1)):
        member(team, Role.PRACTITIONER)
        for _ in range(open_episodes):
            EpisodeFactory(site=sites[team.code], team=team)
    member(busy, Role.TEAM_LEAD)
    for serial in range(6):  # earlier runs' arrivals, all at the quietest team
        EpisodeFactory(
            site=sites["quieter"], team=quieter, person=PersonFactory(family_name=f"{INTAKE_NAME}{serial}")
        )
    chosen = subjects(random.Random(1), 3)
    assert chosen.team == busy
    assert chosen.intake_team == quieter


def test_the_bench_refuses_a_database_whose_load_stopped_with_indexes_held(db, tmp_path, monkeypatch):
    from liaison.demo import bench
    from liaison.demo.models import HeldDefinition

    monkeypatch.setattr(bench, "RESULTS", tmp_path / "results.json")
    HeldDefinition.objects.create(
        name="people_person_family_name_idx", table="people_person", kind="index", definition="CREATE INDEX …"
    )
    with pytest.raises(RuntimeError, match=r"indexes and foreign keys again \(1 held\).*--resume"):
        bench.run(scale="national", skip=("pages", "kpis", "intake"))
    assert not (tmp_path / "results.json").exists()
