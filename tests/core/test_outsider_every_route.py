"""The outsider case for every HTML route that names a record: 404, nothing changed, and an audit event.

Routes are read from the URL configuration itself, so a new route that takes a record id is covered
the day it is added (and must be listed below with the record its id refers to).
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, get_resolver, reverse

from liaison.core.models import AuditEvent
from liaison.episodes.models import Contact, EpisodeStatus, Task

# Route name -> which fixture's id fills each URL parameter.
ROUTE_IDS = {
    "person_detail": {"pk": "person"},
    "person_audit": {"pk": "person"},
    "person_break_glass": {"pk": "person"},
    "episode_detail": {"pk": "episode"},
    "episode_contact": {"pk": "episode"},
    "episode_task": {"pk": "episode"},
    "episode_task_done": {"pk": "episode", "task_pk": "task"},
    "episode_stage": {"pk": "episode"},
}
# Break-the-glass pages are open to outsiders by design: a reason is asked before anything is shown.
OPEN_TO_OUTSIDERS = {"person_break_glass"}


def _routes_with_ids() -> set[str]:
    names = set()
    for pattern in get_resolver().url_patterns:
        for sub in getattr(pattern, "url_patterns", [pattern]):
            if isinstance(sub, URLPattern) and sub.name and "<int:" in str(sub.pattern):
                names.add(sub.name)
    return names


def test_every_route_with_a_record_id_is_in_the_table():
    assert _routes_with_ids() == set(ROUTE_IDS)


@pytest.fixture
def records(episode_a, practitioner):
    task = Task.objects.create(episode=episode_a, title="Call GP", due="2026-12-01", created_by=practitioner)
    return {"person": episode_a.person_id, "episode": episode_a.pk, "task": task.pk}


@pytest.mark.parametrize("name", sorted(set(ROUTE_IDS) - OPEN_TO_OUTSIDERS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404_on_every_route_and_is_audited(outsider_client, outsider, records, name, method):
    url = reverse(name, kwargs={k: records[v] for k, v in ROUTE_IDS[name].items()})
    before = (Contact.objects.count(), Task.objects.count(), EpisodeStatus.objects.count())
    data = {"version": 1, "channel": "phone", "successful": "yes", "title": "x", "stage": "screened"}
    response = getattr(outsider_client, method)(url, data) if method == "post" else outsider_client.get(url)
    assert response.status_code in (404, 405), (url, response.status_code)
    if response.status_code == 404:
        assert AuditEvent.objects.filter(action="access.denied", actor_id=outsider.pk).exists()
    assert (Contact.objects.count(), Task.objects.count(), EpisodeStatus.objects.count()) == before
    if response.status_code == 404:
        assert b"Alex" not in response.content and b"Rivers" not in response.content
