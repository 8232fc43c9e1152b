"""The vulnerability flag code list is data loaded by a migration, and the new edge modules fetch
arrival and referral rows only through the scoped queries."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

from django.apps import apps

import liaison
from liaison.identification.models import VulnerabilityFlag

ROOT = Path(liaison.__file__).parent
DATA = ROOT / "identification" / "data" / "vulnerability_flags.json"
ISSUE_LIST = [
    "Mental health",
    "Self-harm or suicide",
    "Learning disability",
    "Autism",
    "ADHD",
    "Speech, language and communication needs",
    "Substance use",
    "Physical health",
    "Trauma, including domestic or sexual abuse",
    "Housing or homelessness",
    "Money and debt",
    "Veteran",
    "Young person",
    "Woman in custody",
    "Charge-related risk",
    "Acquired brain injury",
    "Safeguarding",
]


def test_the_migration_loaded_every_flag_in_order(db):
    assert list(VulnerabilityFlag.objects.values_list("label", flat=True)) == ISSUE_LIST


def test_the_data_file_covers_the_seed_list_in_codes_json():
    rows = json.loads(DATA.read_text())["flags"]
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    seed = Path("/work/shared/data/codes.json")
    if seed.exists():
        wanted = json.loads(seed.read_text())["vulnerability_flags_seed_list"]
        assert sorted(r["seed_label"] for r in rows) == sorted(wanted)


def test_the_loader_is_idempotent_and_reversible(db):
    migration = importlib.import_module("liaison.identification.migrations.0002_load_vulnerability_flags")
    VulnerabilityFlag.objects.filter(code="autism").update(label="Changed")
    migration.load_flags(apps, None)
    assert VulnerabilityFlag.objects.get(code="autism").label == "Autism"
    assert VulnerabilityFlag.objects.count() == len(ISSUE_LIST)
    VulnerabilityFlag.objects.create(code="local_extra", label="A team's own flag", position=900)
    migration.unload_flags(apps, None)
    assert list(VulnerabilityFlag.objects.values_list("code", flat=True)) == ["local_extra"]


def test_the_migration_imports_no_app_code():
    source = (ROOT / "identification" / "migrations" / "0002_load_vulnerability_flags.py").read_text()
    assert "liaison" not in re.sub(r'""".*?"""', "", source, flags=re.S)


SENSITIVE = ("Arrival", "ArrivalFlag", "ImportBatch", "EpisodeFlag", "PartnerReferral")
PATTERN = re.compile(r"\b(" + "|".join(SENSITIVE) + r")\.objects\b")


def test_views_and_api_never_touch_arrival_or_referral_managers():
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for app in ("identification", "partners")
        for path in (ROOT / app / "views.py", ROOT / app / "api.py")
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if PATTERN.search(line)
    ]
    assert offenders == []
