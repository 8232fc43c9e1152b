"""The worklist: the team's open episodes, overdue work first, filtered, paginated, audited, bounded."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from liaison.core.models import AuditEvent, Role
from liaison.episodes.models import Episode, Stage, Task
from liaison.episodes.queries import URGENT_REFERRAL, worklist_for
from liaison.partners.models import Urgency
from liaison.partners.services import referral_create
from tests.factories import EpisodeFactory, PersonFactory, SiteFactory, member


def _episode(site, given, family, *, hours_ago, **extra):
    return EpisodeFactory(
        site=site,
        person=PersonFactory(given_name=given, family_name=family),
        arrival_at=timezone.now() - dt.timedelta(hours=hours_ago),
        **extra,
    )


def _task(episode, *, due, done=False, title="Follow up"):
    by = episode.allocated_worker or member(episode.team, Role.PRACTITIONER)
    return Task.objects.create(
        episode=episode,
        title=title,
        due=due,
        owner=by,
        created_by=by,
        done_at=timezone.now() if done else None,
    )


def _referral(site, given, family, *, hours_ago, urgency, partner=None):
    """A justice partner's referral (through the partners service), its episode moved back in time."""
    partner = partner or member(site.team, Role.PARTNER)
    referral = referral_create(
        actor=partner,
        team=site.team,
        site_id=site.pk,
        given_name=given,
        family_name=family,
        reason="Worried about them after charge.",
        urgency=urgency,
        source="police",
    )
    arrival = timezone.now() - dt.timedelta(hours=hours_ago)
    Episode.objects.filter(pk=referral.episode_id).update(arrival_at=arrival, identified_at=arrival)
    return referral


def _names_in_order(html: str) -> list[str]:
    return re.findall(r'<a class="nhsuk-link" href="/episodes/\d+/">([^<]+)</a>', html)


def test_worklist_shows_the_teams_open_episodes_newest_first(
    practitioner_client, practitioner, site_a, site_b
):
    _episode(site_a, "Older", "Arrival", hours_ago=10, allocated_worker=practitioner)
    _episode(site_a, "Newest", "Arrival", hours_ago=1, age_group="youth")
    _episode(site_a, "Closed", "Episode", hours_ago=2, stage=Stage.CLOSED)
    _episode(site_b, "Other", "Teamsperson", hours_ago=1)
    html = practitioner_client.get("/").content.decode()
    assert _names_in_order(html) == ["Newest Arrival", "Older Arrival"]
    assert "Teamsperson" not in html and "Closed Episode" not in html
    assert '<strong class="nhsuk-tag nhsuk-tag--pink">Youth</strong>' in html
    assert '<strong class="nhsuk-tag nhsuk-tag--blue">Identified</strong>' in html
    assert str(practitioner) in html
    assert "10 hours ago" in html
    assert "2 open episodes" in html


def test_episodes_with_overdue_tasks_come_first_and_are_flagged(practitioner_client, site_a):
    today = timezone.localdate()
    fresh = _episode(site_a, "Fresh", "Arrival", hours_ago=1)
    late = _episode(site_a, "Late", "Followup", hours_ago=40)
    _task(late, due=today - dt.timedelta(days=2), title="Phone the GP")
    _task(fresh, due=today + dt.timedelta(days=1), title="Check housing")
    # A done task that was overdue does not count.
    _task(fresh, due=today - dt.timedelta(days=5), done=True)
    html = practitioner_client.get("/").content.decode()
    assert _names_in_order(html) == ["Late Followup", "Fresh Arrival"]
    assert html.count("Overdue task</strong>") == 1
    assert "Phone the GP" in html and "Overdue by 2 days" in html
    assert "Check housing" in html and "Due tomorrow" in html


def test_urgent_referrals_come_next_after_overdue_work_then_newest_arrivals(
    practitioner_client, practitioner, site_a
):
    today = timezone.localdate()
    partner = member(site_a.team, Role.PARTNER)
    fresh = _episode(site_a, "Fresh", "Arrival", hours_ago=1)
    late = _episode(site_a, "Late", "Followup", hours_ago=60)
    _task(late, due=today - dt.timedelta(days=1), title="Phone the GP")
    _referral(site_a, "Urgent", "Referral", hours_ago=30, urgency=Urgency.URGENT, partner=partner)
    _referral(site_a, "Older", "Urgentone", hours_ago=50, urgency=Urgency.URGENT, partner=partner)
    _referral(site_a, "Soon", "Referral", hours_ago=20, urgency=Urgency.SOON, partner=partner)
    _referral(site_a, "Routine", "Referral", hours_ago=2, urgency=Urgency.ROUTINE, partner=partner)
    _episode(site_a, "Older", "Arrival", hours_ago=10)
    # An urgent referral that also has overdue work tops the overdue group.
    overdue_urgent = _referral(
        site_a, "Overdue", "Urgent", hours_ago=70, urgency=Urgency.URGENT, partner=partner
    )
    _task(Episode.objects.get(pk=overdue_urgent.episode_id), due=today - dt.timedelta(days=3))
    expected = [
        "Overdue Urgent",
        "Late Followup",
        "Urgent Referral",
        "Older Urgentone",
        "Fresh Arrival",
        "Routine Referral",
        "Older Arrival",
        "Soon Referral",
    ]
    html = practitioner_client.get("/").content.decode()
    assert _names_in_order(html) == expected
    rows = list(worklist_for(user=practitioner, team=site_a.team))
    assert [f"{e.person.given_name} {e.person.family_name}" for e in rows] == expected
    assert [e.urgent_referral for e in rows] == [True, False, True, True, False, False, False, False]
    assert fresh.pk == rows[4].pk
    # The order holds under filters too, and a closed urgent referral is not on the list at all.
    Episode.objects.filter(person__family_name="Urgentone").update(stage=Stage.CLOSED)
    identified = practitioner_client.get("/", {"stage": "identified"}).content.decode()
    assert _names_in_order(identified)[:3] == ["Overdue Urgent", "Late Followup", "Urgent Referral"]
    assert "Urgentone" not in identified


def test_the_urgent_value_matches_the_partners_code_list():
    assert Urgency.URGENT.value == URGENT_REFERRAL


def test_worklist_filters_by_site_and_stage_in_the_address(practitioner_client, site_a, team_a):
    court = SiteFactory(team=team_a, name="Northtown Magistrates")
    _episode(site_a, "Custody", "Person", hours_ago=1)
    _episode(court, "Court", "Person", hours_ago=2, stage=Stage.SCREENED)
    by_site = practitioner_client.get("/", {"site": court.pk}).content.decode()
    assert _names_in_order(by_site) == ["Court Person"]
    by_stage = practitioner_client.get("/", {"stage": "identified"}).content.decode()
    assert _names_in_order(by_stage) == ["Custody Person"]
    assert "matching your filters" in by_stage


def test_a_site_of_another_team_is_not_a_valid_filter(practitioner_client, site_a, site_b):
    _episode(site_b, "Other", "Teamsperson", hours_ago=1)
    response = practitioner_client.get("/", {"site": site_b.pk})
    html = response.content.decode()
    assert "Select one of your team&#x27;s sites" in html
    assert "Teamsperson" not in html


def test_worklist_is_paginated(practitioner_client, site_a, settings):
    settings.PAGE_SIZE = 2
    for n in range(5):
        _episode(site_a, f"Person{n}", "Paged", hours_ago=n + 1)
    first = practitioner_client.get("/").content.decode()
    assert _names_in_order(first) == ["Person0 Paged", "Person1 Paged"]
    assert 'aria-label="Page 3"' in first
    third = practitioner_client.get("/", {"page": 3}).content.decode()
    assert _names_in_order(third) == ["Person4 Paged"]


def test_worklist_view_is_audited_once_with_the_people_shown(
    practitioner_client, practitioner, site_a, team_a
):
    shown = [_episode(site_a, f"Shown{n}", "Person", hours_ago=n + 1).person_id for n in range(3)]
    practitioner_client.get("/")
    event = AuditEvent.objects.get(action="worklist.view")
    assert (
        event.actor_id == practitioner.pk and event.team_id == team_a.pk and event.role == Role.PRACTITIONER
    )
    assert sorted(event.detail["person_ids"]) == sorted(shown)


def test_htmx_requests_get_just_the_results(practitioner_client, site_a):
    _episode(site_a, "Partial", "Person", hours_ago=1)
    html = practitioner_client.get(
        "/", {"stage": "identified"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert html.lstrip().startswith('<div id="worklist-results"')
    assert "Partial Person" in html
    assert "<html" not in html


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.PARTNER, Role.ADMIN])
def test_non_clinical_roles_get_a_friendly_no_access_page(team_a, site_a, role, client):
    _episode(site_a, "Hidden", "Person", hours_ago=1)
    client.force_login(member(team_a, role))
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "You cannot see people's records" in html
    assert "Hidden" not in html
    assert not AuditEvent.objects.filter(action="worklist.view").exists()


def test_worklist_query_is_empty_for_a_team_the_user_is_not_in(outsider, team_a, site_a):
    _episode(site_a, "Not", "Yours", hours_ago=1)
    assert list(worklist_for(user=outsider, team=team_a)) == []


@pytest.mark.parametrize("count", [3, 30])
def test_worklist_runs_a_bounded_number_of_queries(
    practitioner_client, practitioner, site_a, count, django_assert_max_num_queries
):
    today = timezone.localdate()
    partner = member(site_a.team, Role.PARTNER)
    for n in range(count):
        episode = _episode(site_a, f"Load{n}", "Test", hours_ago=n + 1, allocated_worker=practitioner)
        _task(episode, due=today + dt.timedelta(days=n % 3 - 1))
        # Referrals on the list too (their urgency orders the rows and shows as a tag).
        urgency = Urgency.URGENT if n % 2 else Urgency.SOON
        _referral(site_a, f"Referred{n}", "Test", hours_ago=n + 2, urgency=urgency, partner=partner)
    # One query reads the memberships, with their teams, for every check and the current team.
    with django_assert_max_num_queries(11):
        response = practitioner_client.get("/")
    assert response.status_code == 200
