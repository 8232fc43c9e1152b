"""The outcomes dashboard and drill-down: what team leads, commissioners and everyone else see."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from liaison.core.models import AuditEvent
from tests.outcomes.test_kpis import build_world

DASH = reverse("outcomes:dashboard")
EPISODES = reverse("outcomes:episodes")
OCT = "period=2026-10"


@pytest.fixture
def world(team_a, team_b):
    return build_world(team_a, team_b)


def test_team_lead_sees_charts_with_their_tables(world, lead_client):
    response = lead_client.get(f"{DASH}?{OCT}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Outcomes: October 2026" in html
    assert html.count('role="img"') >= 8
    assert '<title id="funnel-chart-title">' in html and '<desc id="funnel-chart-desc">' in html
    assert "From arrival to engagement: episodes at each step" in html  # the funnel's table
    # the lead can open the episodes behind a number
    assert f"{EPISODES}?period=2026-10&amp;measure=screened" in html
    assert AuditEvent.objects.filter(action="outcomes.view", actor_username="lead").exists()


def test_commissioner_sees_small_numbers_suppressed_and_no_links(world, commissioner_client):
    response = commissioner_client.get(f"{DASH}?{OCT}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Small numbers are hidden" in html
    assert EPISODES not in html
    # no cell of 1 to 4 in any table
    cells = re.findall(r'nhsuk-table__cell--numeric">([^<]*)<', html)
    assert cells and not [c for c in cells if c.strip() in {"1", "2", "3", "4"}]
    # nor in any chart's description
    for desc in re.findall(r"<desc[^>]*>([^<]*)</desc>", html):
        assert not re.search(r": [1-4](?:%| minutes)?(?:;|$)", desc), desc
    # no worker's name either
    assert world["prac"].display_name not in html and world["lead"].display_name not in html


def test_commissioner_cannot_drill_down(world, commissioner_client):
    response = commissioner_client.get(f"{EPISODES}?{OCT}&measure=identified")
    assert response.status_code == 403
    assert "Commissioners see the figures only" in response.content.decode()


def test_lead_drills_down_to_their_teams_episodes_and_it_is_audited(world, lead_client):
    response = lead_client.get(f"{EPISODES}?{OCT}&measure=screened")
    assert response.status_code == 200
    html = response.content.decode()
    assert "4 episodes" in html
    event = AuditEvent.objects.filter(action="outcomes.drill_down").latest("id")
    assert len(event.detail["person_ids"]) == 3  # p1 twice, p2, p3


def test_drill_down_to_an_unknown_number_is_a_clear_error(world, lead_client):
    response = lead_client.get(f"{EPISODES}?{OCT}&measure=everything")
    assert response.status_code == 400
    assert "That number cannot be opened" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=2099-Q1", "The period is in the future"),
        ("period=last-week", "Enter a period like 2026-10"),
        ("period=2026-13", "Enter a period like 2026-10"),
        ("start=2026-10-10&end=2026-10-01", "The end of the period must be on or after its start"),
        ("start=2026-10-10", "Enter both dates of a custom period"),
        ("team=no-such-team", "There is no team with that name"),
        ("site=999999", "There is no such site in your teams"),
    ],
)
def test_bad_filters_get_a_clear_message_not_a_crash(world, lead_client, query, message):
    response = lead_client.get(f"{DASH}?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert "liaison-chart" not in html


def test_an_empty_period_says_so(world, lead_client):
    response = lead_client.get(f"{DASH}?period=2026-03")
    assert "No episodes in this period" in response.content.decode()


def test_a_team_the_user_may_not_see_is_refused_with_no_data(world, lead_client, team_b):
    response = lead_client.get(f"{DASH}?{OCT}&team={team_b.code}")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot see figures for that team" in html
    assert "liaison-chart" not in html
    assert AuditEvent.objects.filter(action="outcomes.refused").exists()


@pytest.mark.parametrize("client_name", ["practitioner_client", "outsider_client"])
def test_roles_without_outcomes_are_refused(world, request, client_name):
    client = request.getfixturevalue(client_name)
    for url in (f"{DASH}?{OCT}", f"{EPISODES}?{OCT}&measure=identified", reverse("outcomes:report")):
        assert client.get(url).status_code == 403


def test_dashboard_query_count_is_bounded(world, lead_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(31):
        assert lead_client.get(f"{DASH}?{OCT}").status_code == 200


def test_drill_down_query_count_is_bounded(world, lead_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        assert lead_client.get(f"{EPISODES}?{OCT}&measure=identified").status_code == 200


def test_filters_stay_in_the_address(world, lead_client):
    html = lead_client.get(f"{DASH}?{OCT}&sex=2").content.decode()
    assert "sex=2" in html  # in drill-down links
    assert '<option value="2" selected>' in html
