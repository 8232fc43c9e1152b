"""The rules file: what ships, and how strictly a changed one is read."""

from __future__ import annotations

import copy
import json

import pytest

from liaison.core.presenters import AUDIT_ACTION_LABELS
from liaison.monitoring.rules import RULES_FILE, RulesError, load_rules, parse_rules
from tests.core.test_views_presenters import audit_actions_in_source

SHIPPED = json.loads(RULES_FILE.read_text(encoding="utf-8"))


def test_the_shipped_rules_are_the_documented_numbers():
    rules = load_rules()
    assert rules.daily_ceiling.ceiling == 60
    assert (rules.above_baseline.multiple, rules.above_baseline.baseline_days) == (3, 28)
    assert (rules.above_baseline.minimum_people, rules.above_baseline.minimum_active_days) == (20, 5)
    assert (rules.repeated_break_glass.people, rules.repeated_break_glass.window_days) == (3, 7)
    assert rules.break_glass.enabled and rules.candidate_minimum() == 20


def test_every_read_action_is_one_the_code_writes():
    """A misspelt action would silently never be counted."""
    written = audit_actions_in_source()
    for action in load_rules().read_actions:
        assert action in AUDIT_ACTION_LABELS and action in written, action


def _with(change) -> dict:
    data = copy.deepcopy(SHIPPED)
    change(data)
    return data


@pytest.mark.parametrize(
    ("what", "data", "message"),
    [
        ("not version 1", _with(lambda d: d.update(version=2)), "version 1"),
        ("an unknown key", _with(lambda d: d.update(extra=1)), "unknown keys"),
        ("no read actions", _with(lambda d: d.update(read_actions=[])), "read_actions"),
        ("a rule missing", _with(lambda d: d["rules"].pop("daily_ceiling")), "rules must name exactly"),
        ("an unknown rule", _with(lambda d: d["rules"].update(night_views={"enabled": True})), "exactly"),
        (
            "a setting missing",
            _with(lambda d: d["rules"]["daily_ceiling"].pop("ceiling")),
            "daily_ceiling must set",
        ),
        (
            "a misspelt setting",
            _with(lambda d: d["rules"]["daily_ceiling"].update(cieling=5)),
            "must set exactly",
        ),
        (
            "a number as text",
            _with(lambda d: d["rules"]["daily_ceiling"].update(ceiling="60")),
            "whole number",
        ),
        (
            "true as a number",
            _with(lambda d: d["rules"]["daily_ceiling"].update(ceiling=True)),
            "whole number",
        ),
        (
            "a fraction of a day",
            _with(lambda d: d["rules"]["above_baseline"].update(baseline_days=2.5)),
            "whole",
        ),
        ("zero", _with(lambda d: d["rules"]["daily_ceiling"].update(ceiling=0)), "at least 1"),
        (
            "enabled as text",
            _with(lambda d: d["rules"]["break_glass"].update(enabled="yes")),
            "true or false",
        ),
    ],
)
def test_a_wrong_rules_file_is_refused_saying_what_is_wrong(what, data, message):
    with pytest.raises(RulesError, match=message):
        parse_rules(data)


def test_a_fractional_multiple_is_allowed():
    rules = parse_rules(_with(lambda d: d["rules"]["above_baseline"].update(multiple=2.5)))
    assert rules.above_baseline.multiple == 2.5


def test_an_unreadable_rules_file_is_refused(tmp_path):
    broken = tmp_path / "rules.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(RulesError, match="cannot read the privacy rules"):
        load_rules(broken)


def test_liaison_check_reports_a_broken_rules_file(tmp_path, monkeypatch):
    from liaison.monitoring import checks

    assert checks.privacy_rules_are_readable() == []
    broken = tmp_path / "rules.json"
    broken.write_text(
        json.dumps(_with(lambda d: d["rules"]["daily_ceiling"].update(ceiling=0))), encoding="utf-8"
    )
    monkeypatch.setattr(checks, "RULES_FILE", broken)
    [error] = checks.privacy_rules_are_readable()
    assert error.id == "liaison.E101" and "ceiling must be at least 1" in error.msg


def test_a_broken_rules_file_never_stops_the_glass_being_broken(
    outsider, team_b, person_a, monkeypatch, caplog
):
    from liaison.core.services import break_glass_grant
    from liaison.monitoring import services
    from liaison.monitoring.models import PrivacyAlert

    def unreadable():
        raise RulesError("cannot read the privacy rules")

    monkeypatch.setattr(services, "load_rules", unreadable)
    granted = break_glass_grant(
        actor=outsider, team=team_b, person_id=person_a.pk, reason="Probation asked at court"
    )
    assert PrivacyAlert.objects.get().grant == granted  # monitored more, not less
    assert "privacy rules unreadable" in caplog.text
