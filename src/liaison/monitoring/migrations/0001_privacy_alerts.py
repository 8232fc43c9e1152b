"""Privacy alerts raised for the team lead (rules in monitoring/data/privacy_rules.json)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "0005_session_tracking_and_signin_throttle"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PrivacyAlert",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "rule",
                    models.CharField(
                        choices=[
                            ("break_glass", "Broke the glass"),
                            ("repeated_break_glass", "Broke the glass repeatedly"),
                            ("daily_ceiling", "Viewed more records in a day than the ceiling"),
                            ("above_baseline", "Viewed far more records than usual"),
                        ],
                        max_length=30,
                    ),
                ),
                ("day", models.DateField()),
                ("numbers", models.JSONField(blank=True, default=dict)),
                ("raised_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "outcome",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("no_concern", "No concern"),
                            ("discussed", "Discussed with the user"),
                            ("escalated", "Escalated to the IG lead"),
                        ],
                        max_length=20,
                    ),
                ),
                ("note", models.TextField(blank=True)),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="privacy_alerts_closed",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "grant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="privacy_alerts",
                        to="core.breakglass",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="privacy_alerts",
                        to="core.team",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="privacy_alerts",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("closed_at__isnull", True)),
                        fields=["team", "-raised_at"],
                        name="privacyalert_team_open",
                    ),
                    models.Index(fields=["team", "-raised_at"], name="privacyalert_team_raised"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("grant__isnull", True)),
                        fields=("rule", "user", "team", "day"),
                        name="privacyalert_one_per_rule_user_team_day",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("grant__isnull", False)),
                        fields=("rule", "grant"),
                        name="privacyalert_one_per_grant",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("closed_at__isnull", True), ("closed_by__isnull", True), ("outcome", "")
                            ),
                            models.Q(
                                ("closed_at__isnull", False),
                                ("closed_by__isnull", False),
                                models.Q(("outcome", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="privacyalert_closed_with_outcome",
                    ),
                ],
            },
        ),
    ]
