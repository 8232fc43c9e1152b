"""`liaison demo-logins`: print the demo logins, one per role, with the shared demo password."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from liaison.core.mfa import device_secret
from liaison.core.models import Membership, Role, User
from liaison.demo.authenticators import ensure_demo_authenticator
from liaison.demo.staff import DEMO_LOGINS, DEMO_PASSWORD


def login_rows() -> list[tuple[str, str, str, str]]:
    """(username, password, role, team) for each demo login present in the database, in role order."""
    memberships = {
        m.user.username: m
        for m in Membership.objects.select_related("user", "team").filter(
            user__username__in=[s.username for s in DEMO_LOGINS], user__is_active=True
        )
    }
    rows = []
    for spec in DEMO_LOGINS:
        membership = memberships.get(spec.username)
        if membership is None:
            continue
        role = Role(membership.role).label + (f" ({spec.note})" if spec.note else "")
        rows.append((spec.username, DEMO_PASSWORD, role, membership.team.name))
    return rows


def table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * width for width in widths),
    ]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print the demo logins (one per role) and the shared demo password."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = login_rows()
        if not rows:
            raise CommandError("No demo logins found. Load the demo data first: liaison seed --reset")
        users = {u.username: u for u in User.objects.filter(username__in=[r[0] for r in rows])}
        keys = {name: device_secret(ensure_demo_authenticator(user)) for name, user in users.items()}
        self.stdout.write("Demo logins (synthetic data only; every demo account shares this password):\n")
        self.stdout.write(
            table(
                ("username", "password", "role", "team", "authenticator key"),
                [(*r, keys[r[0]]) for r in rows],
            )
        )
        self.stdout.write(
            "\nSigning in also needs a 6-digit code: add the key to an authenticator app, or run\n"
            "  LIAISON_DEMO=1 liaison demo-code USERNAME\n"
            "for the code the app would show now."
        )
