"""The "find a service" page: what a practitioner sees for a need, the release time, who may see it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from liaison.core.models import AuditEvent, Role
from liaison.directory.models import PostcodeCentroid
from tests.directory.test_matching import DAYTIME, NIGHTS, ORIGIN, make_service, record_referrals
from tests.factories import member


def url(episode, need="basic:sleep_tonight", **query):
    base = reverse("directory:need_services", kwargs={"pk": episode.pk, "need_key": need})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def directory(episode_a, practitioner):
    person = episode_a.person
    person.postcode = "LS1 4AP"
    person.save()
    PostcodeCentroid.objects.create(code="LS1", latitude=ORIGIN[0], longitude=ORIGIN[1])
    shelter = make_service("shelter", schedules=NIGHTS, miles_north=3.0)
    make_service("day-centre", schedules=DAYTIME, miles_north=0.5)
    make_service("youth-only", maximum_age=17)
    record_referrals(episode_a, practitioner, shelter, sent=20, attended=12)
    return episode_a


def test_the_page_ranks_services_for_the_release_time_with_reasons(practitioner_client, directory):
    response = practitioner_client.get(url(directory, release_at="2026-11-28T02:00"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Find a service: a safe place to sleep tonight" in html
    assert html.index("Service shelter") < html.index("Service day-centre")
    assert "Open at release until 8am" in html
    assert "Closed: opens Monday at 9am" in html
    assert "3.0 miles from the postcode district LS1" in html
    assert "12 of 20 referrals attended" in html
    assert 'value="2026-11-28T02:00"' in html
    assert 'type="datetime-local"' in html
    assert "Not suitable for this person (1)" in html
    assert "Not suitable: Aged 36; the service takes people aged up to 17" in html
    refer = reverse("referrals:referral_new", kwargs={"pk": directory.pk})
    assert f'href="{refer}?service=shelter&amp;need=basic%3Asleep_tonight"' in html
    assert "/directory/services/shelter/" in html


def test_release_time_defaults_to_now(practitioner_client, directory):
    response = practitioner_client.get(url(directory))
    now = timezone.localtime().strftime("%Y-%m-%dT%H:")
    assert f'value="{now}' in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2026-13-40T25:00", "Enter the release time as a date and time, for example 28/11/2026 02:00"),
        ("tonight", "Enter the release time as a date and time, for example 28/11/2026 02:00"),
        ("", "Enter the release time"),
        ("2099-01-01T02:00", "The release time must be within a year of today"),
    ],
)
def test_a_bad_release_time_is_a_clear_error_that_keeps_what_was_typed(
    practitioner_client, directory, typed, message
):
    response = practitioner_client.get(url(directory, release_at=typed))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in html
    assert message in html
    assert f'value="{typed}"' in html
    assert "Service shelter" not in html


def test_an_unknown_need_is_404(practitioner_client, episode_a):
    assert practitioner_client.get(url(episode_a, need="flying")).status_code == 404


def test_viewing_is_audited(practitioner_client, practitioner, directory):
    practitioner_client.get(url(directory))
    assert AuditEvent.objects.filter(
        action="need_services.view", actor_id=practitioner.pk, person_id=directory.person_id
    ).exists()


def test_outsider_gets_404_and_is_audited(outsider_client, outsider, directory):
    response = outsider_client.get(url(directory))
    assert response.status_code == 404
    assert b"Rivers" not in response.content
    assert AuditEvent.objects.filter(action="access.denied", actor_id=outsider.pk).exists()


def test_a_role_without_directory_access_is_refused(team_a, directory):
    from django.test import Client

    client = Client()
    client.force_login(member(team_a, Role.COMMISSIONER))
    assert client.get(url(directory)).status_code in (403, 404)


def test_query_count_is_bounded_whatever_the_directory_size(
    practitioner_client, directory, django_assert_max_num_queries
):
    for number in range(40):
        make_service(f"extra-{number}", miles_north=number + 1, minimum_age=18 if number % 4 else 80)
    with django_assert_max_num_queries(24):
        response = practitioner_client.get(url(directory, release_at="2026-11-28T02:00"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not suitable for this person (11)" in html
    assert 'aria-label="Pagination"' in html  # 31 ranked: two pages of 20


def test_the_second_page(practitioner_client, directory):
    for number in range(25):
        make_service(f"extra-{number:02d}", miles_north=number + 10)
    html = practitioner_client.get(url(directory, release_at="2026-11-28T02:00", page=2)).content.decode()
    assert "Service shelter" not in html
    assert "Service extra-24" in html


def test_the_plan_links_each_need_to_its_services(practitioner_client, episode_a, practitioner):
    from liaison.assessment.services import assessment_complete, assessment_save, assessment_start

    draft = assessment_start(actor=practitioner, episode=episode_a)
    draft = assessment_save(
        actor=practitioner, assessment=draft, version=1, data={"needs": [{"key": "housing", "level": "low"}]}
    )
    assessment_complete(actor=practitioner, assessment=draft, version=draft.version)
    html = practitioner_client.get(reverse("plan_detail", kwargs={"pk": episode_a.pk})).content.decode()
    assert f'href="{url(episode_a, need="housing")}"' in html
    assert "Find a service" in html


def test_release_time_in_the_summer_is_read_as_british_summer_time(practitioner_client, directory):
    # 02:00 on 1 July is 01:00 UTC; the page shows the time as typed, and the night shelter as open.
    html = practitioner_client.get(url(directory, release_at="2026-07-01T02:00")).content.decode()
    assert "1 July 2026 at 02:00" in html
    assert "Open at release until 8am" in html
    assert dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.UTC)  # documented above
