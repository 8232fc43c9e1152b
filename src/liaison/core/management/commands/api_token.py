"""`liaison api-token USERNAME NAME`: issue a bearer token for the API; it is printed once, stored hashed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.core.api_auth import api_token_create
from liaison.core.models import User


class Command(BaseCommand):
    help = "Create an API bearer token for a user. The token is shown once; only its digest is kept."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("name", help="what the token is for, e.g. 'custody list import'")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user called {options['username']!r}")
        # Run from the server's shell by someone who already holds the keys: acting as the user.
        _, plaintext = api_token_create(actor=user, user=user, name=options["name"])
        self.stdout.write(f"API token for {user.username} ({options['name']}), shown once:\n{plaintext}")
