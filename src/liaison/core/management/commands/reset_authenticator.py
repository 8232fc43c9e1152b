"""`liaison reset-authenticator USERNAME --by MANAGER`: for a lost phone, remove a user's authenticator."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.core.errors import NotPermitted
from liaison.core.models import User
from liaison.core.services import user_authenticator_reset


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator app and end their sessions; they set up a new one at next sign-in. "
        "Run on behalf of their team lead, administrator or a superuser (--by), who is recorded in the audit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--by", required=True, help="the username of the team lead or administrator asking"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        manager = User.objects.filter(username=options["by"], is_active=True).first()
        if user is None:
            raise CommandError(f"No user called {options['username']!r}")
        if manager is None:
            raise CommandError(f"No active user called {options['by']!r}")
        try:
            ended = user_authenticator_reset(actor=manager, user=user)
        except NotPermitted as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Authenticator removed for {user.username}; {ended} session(s) ended. "
            "They will set up a new one when they next sign in."
        )
