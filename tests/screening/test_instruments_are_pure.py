"""Instruments are pure and versioned (CONVENTIONS rule 7): the package never imports Django.

Checked two ways: by reading every module's imports, and by importing the package in a fresh
interpreter with no Django settings and checking no Django module was loaded.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import liaison.screening.instruments as package

ROOT = Path(package.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_module_in_the_package_imports_django_or_the_rest_of_liaison():
    modules = sorted(ROOT.rglob("*.py"))
    assert len(modules) > 10
    for path in modules:
        for name in _imports(path):
            assert not name.startswith("django"), f"{path.name} imports {name}"
            if name.startswith("liaison"):
                assert name.startswith("liaison.screening.instruments"), f"{path.name} imports {name}"


def test_the_package_imports_and_scores_with_django_unavailable():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "LIAISON"))}
    code = (
        "import sys\n"
        "sys.modules['django'] = None  # any import of django now fails\n"
        "from liaison.screening import instruments\n"
        "from liaison.screening.instruments import fhir\n"
        "r = instruments.score('phq-9', {str(n): 1 for n in range(1, 10)})\n"
        "assert r.total == 9 and 'suicide_risk' in r.flags, r\n"
        "fhir.questionnaire(instruments.get('phq-9'))\n"
        "print('ok')\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
