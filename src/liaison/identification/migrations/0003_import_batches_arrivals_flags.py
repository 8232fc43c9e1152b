"""Import batches, arrivals, and the flags raised on arrivals and episodes."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("identification", "0002_load_vulnerability_flags"),
        ("core", "0004_audit_guards"),
        ("episodes", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportBatch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("imported_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("file_name", models.CharField(max_length=200)),
                ("file_sha256", models.CharField(max_length=64)),
                ("via", models.CharField(default="upload", max_length=10)),
                ("rows_read", models.PositiveIntegerField(default=0)),
                ("rows_created", models.PositiveIntegerField(default=0)),
                ("rows_duplicate", models.PositiveIntegerField(default=0)),
                ("rows_rejected", models.PositiveIntegerField(default=0)),
                ("problems", models.JSONField(blank=True, default=list)),
                ("ignored_columns", models.JSONField(blank=True, default=list)),
                (
                    "imported_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="import_batches",
                        to="core.site",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.team"
                    ),
                ),
            ],
            options={
                "ordering": ["-imported_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Arrival",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("arrival_at", models.DateTimeField()),
                ("custody_number", models.CharField(blank=True, max_length=40)),
                ("given_name", models.CharField(max_length=100)),
                ("family_name", models.CharField(max_length=100)),
                ("date_of_birth", models.DateField(blank=True, null=True)),
                ("nhs_number", models.CharField(blank=True, max_length=10)),
                ("pnc_id", models.CharField(blank=True, max_length=12)),
                ("alleged_offence", models.CharField(blank=True, max_length=200)),
                ("officer_flags", models.CharField(blank=True, max_length=500)),
                ("dedupe_key", models.CharField(max_length=80)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("to_review", "To review"),
                            ("flagged", "Flagged"),
                            ("no_concerns", "Reviewed: no concerns"),
                            ("episode", "Episode opened"),
                        ],
                        default="to_review",
                        max_length=12,
                    ),
                ),
                ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                ("review_note", models.CharField(blank=True, max_length=500)),
                ("version", models.PositiveIntegerField(default=1)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "episode",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="source_arrivals",
                        to="episodes.episode",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="arrivals", to="core.site"
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.team"
                    ),
                ),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="arrivals",
                        to="identification.importbatch",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="EpisodeFlag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("custody_record", "Custody record review"),
                            ("partner", "Partner referral"),
                            ("screening", "Screening"),
                            ("practitioner", "Practitioner"),
                        ],
                        max_length=20,
                    ),
                ),
                ("raised_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("note", models.CharField(blank=True, max_length=500)),
                (
                    "arrival",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="identification.arrival",
                    ),
                ),
                (
                    "episode",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="vulnerability_flags",
                        to="episodes.episode",
                    ),
                ),
                (
                    "raised_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "flag",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="identification.vulnerabilityflag",
                    ),
                ),
            ],
            options={
                "ordering": ["flag__position", "id"],
            },
        ),
        migrations.CreateModel(
            name="ArrivalFlag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("custody_record", "Custody record review"),
                            ("partner", "Partner referral"),
                            ("screening", "Screening"),
                            ("practitioner", "Practitioner"),
                        ],
                        max_length=20,
                    ),
                ),
                ("raised_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("note", models.CharField(blank=True, max_length=500)),
                (
                    "arrival",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="flags",
                        to="identification.arrival",
                    ),
                ),
                (
                    "raised_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "flag",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="identification.vulnerabilityflag",
                    ),
                ),
            ],
            options={
                "ordering": ["flag__position", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="importbatch",
            index=models.Index(fields=["team", "-imported_at"], name="importbatch_team_at"),
        ),
        migrations.AddIndex(
            model_name="arrival",
            index=models.Index(fields=["team", "status", "-arrival_at"], name="arrival_team_status_at"),
        ),
        migrations.AddIndex(
            model_name="arrival",
            index=models.Index(fields=["site", "status", "-arrival_at"], name="arrival_site_status_at"),
        ),
        migrations.AddConstraint(
            model_name="arrival",
            constraint=models.UniqueConstraint(fields=("site", "dedupe_key"), name="arrival_unique_per_site"),
        ),
        migrations.AddConstraint(
            model_name="episodeflag",
            constraint=models.UniqueConstraint(fields=("episode", "flag"), name="episodeflag_once"),
        ),
        migrations.AddConstraint(
            model_name="arrivalflag",
            constraint=models.UniqueConstraint(fields=("arrival", "flag"), name="arrivalflag_once"),
        ),
    ]
