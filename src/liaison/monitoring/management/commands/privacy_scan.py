"""`liaison privacy-scan [--day YYYY-MM-DD] [--dry-run]`: raise the day's privacy alerts.

A thin wrapper over monitoring.services.privacy_scan. Run it from cron (or a systemd timer) shortly
after midnight: without --day it scans yesterday, the last whole day. Running it again raises
nothing twice. The rules are in src/liaison/monitoring/data/privacy_rules.json (docs/monitoring.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from liaison.monitoring.models import AlertRule
from liaison.monitoring.rules import RulesError, load_rules
from liaison.monitoring.services import privacy_scan


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--day must be a date as YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Raise privacy alerts for one day (yesterday unless --day is given): break-glass use, and "
        "users who viewed far more people's records than the ceiling or their usual day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="the local day to scan, YYYY-MM-DD (default: yesterday)")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be raised; raise nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = _day(options["day"]) if options["day"] else timezone.localdate() - dt.timedelta(days=1)
        if day > timezone.localdate():
            raise CommandError(f"{day.isoformat()} has not happened yet")
        try:
            rules = load_rules()
        except RulesError as exc:
            raise CommandError(str(exc)) from exc
        result = privacy_scan(day=day, rules=rules, dry_run=options["dry_run"])
        verb = "would raise" if result.dry_run else "raised"
        self.stdout.write(
            f"privacy scan of {day.isoformat()}: {result.found} found, {verb} {result.raised_total} new"
        )
        for rule in AlertRule:
            if result.raised[rule.value]:
                self.stdout.write(f"  {rule.label}: {result.raised[rule.value]}")
