"""The generator's prevalence figures agree with the shared facts file and with docs/seed.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from liaison.demo.generator import CUSTODY_SCALE, PRISON_PREVALENCE, TARGETS

ROOT = Path(__file__).resolve().parents[2]
FACTS = ROOT.parent / "shared" / "data" / "seed-facts.json"


@pytest.mark.skipif(
    not FACTS.exists(), reason="shared/data/seed-facts.json sits beside the checkout in CI only"
)
def test_prison_prevalence_is_the_shared_facts_file():
    facts = json.loads(FACTS.read_text())["prison_population"]["prevalence"]
    assert facts == PRISON_PREVALENCE


def test_docs_table_states_the_targets_the_generator_uses():
    text = (ROOT / "docs" / "seed.md").read_text()
    for name, target in TARGETS.items():
        assert name in CUSTODY_SCALE
        # Each target appears in the documentation as a percentage or a proportion.
        as_percent = f"{target * 100:g}"
        assert re.search(rf"\b({re.escape(str(target))}|{re.escape(as_percent)}\s?%)", text), (name, target)
