"""The Team page gathers the team's own pages so the menu stays short; each role sees what it may open."""

import pytest
from django.test import Client

from liaison.core.models import Role
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (
            Role.TEAM_LEAD,
            [
                "Possible duplicates",
                "Subject access requests",
                "Break-glass log",
                "Drop-in sessions",
                "Requests to share without consent",
                "Report sign-off",
            ],
            [],
        ),
        (
            Role.PRACTITIONER,
            ["Who is drifting out of contact", "Drop-in sessions", "Awareness training", "Partner feedback"],
            [
                "Possible duplicates",
                "Break-glass log",
                "Requests to share without consent",
                "Report sign-off",
            ],
        ),
        (
            Role.SUPPORT_WORKER,
            ["Drop-in sessions"],
            ["Subject access requests", "Awareness training", "Requests to share without consent"],
        ),
    ],
)
def test_each_role_sees_its_team_pages(team_a, role, shown, hidden):
    client = Client()
    client.force_login(member(team_a, role, f"t-{role}"))
    html = client.get("/team/").content.decode()
    assert all(text in html for text in shown)
    assert not any(text in html for text in hidden)
    assert '<a class="nhsuk-header__navigation-link" href="/team/"' in html


def test_a_commissioner_has_no_team_page(commissioner):
    client = Client()
    client.force_login(commissioner)
    assert client.get("/team/").status_code == 403
