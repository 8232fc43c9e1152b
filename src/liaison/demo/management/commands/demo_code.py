"""`liaison demo-code USERNAME`: the code a demo login's authenticator app would show now."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.core.models import User
from liaison.demo.authenticators import current_code, demo_key, ensure_demo_authenticator
from liaison.demo.staff import DEMO_LOGINS


class Command(BaseCommand):
    help = "Print the current authenticator code for a demo login (demo data only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEMO or settings.DEBUG):
            raise CommandError("demo-code only runs with LIAISON_DEMO=1: it is for the synthetic demo logins")
        username = options["username"]
        if username not in {spec.username for spec in DEMO_LOGINS}:
            raise CommandError(f"{username!r} is not a demo login. `liaison demo-logins` lists them.")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError("No demo data: run `liaison seed --reset` first")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None or device.key != demo_key(username):
            device = ensure_demo_authenticator(user)
        self.stdout.write(current_code(device))
