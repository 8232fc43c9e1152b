"""The hazard log and the security page name the tests that prove each control: those tests must exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "docs" / "clinical-safety" / "hazard-log.md", ROOT / "docs" / "security.md"]
# `tests/x/test_y.py::test_z` or `tests/x/test_y.py`, and later `::test_z` on the same line meaning the
# file named last.
REFERENCE = re.compile(r"`((?:tests/[\w/]+/)?test_\w+\.py)(?:::(\w+))?|`::(\w+)")


def resolve(file: str) -> Path | None:
    """A path from the root, or a bare file name (`test_sessions.py`) found under tests/."""
    if file.startswith("tests/"):
        return ROOT / file if (ROOT / file).exists() else None
    found = sorted((ROOT / "tests").rglob(file))
    return found[0] if len(found) == 1 else None


def references(doc: Path) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for line in doc.read_text(encoding="utf-8").splitlines():
        last_file: str | None = None
        for file, test, bare in REFERENCE.findall(line):
            if file:
                last_file = file
                found.append((file, test.split("[")[0] or None))
            elif last_file is not None:
                found.append((last_file, bare))
    return found


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_every_named_test_exists(doc):
    refs = references(doc)
    assert refs, f"{doc.name} names no tests"
    missing = []
    for file, test in refs:
        path = resolve(file)
        if path is None:
            missing.append(file)
        elif test and not re.search(rf"^(async )?def {test}\(", path.read_text(encoding="utf-8"), re.M):
            missing.append(f"{file}::{test}")
    assert not missing, f"{doc.name} names tests that do not exist: {missing}"
