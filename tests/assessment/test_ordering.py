"""The plan's ordering rule, pinned as a table of cases. Pure: no database.

The rule (docs/assessment.md): immediate risk and safety first; then basic needs today; then the
person's own priorities in their order; then the rest by level. An override wins for what it names.
"""

from __future__ import annotations

import pytest

from liaison.assessment.codes import codes
from liaison.assessment.ordering import (
    TIER_BASIC,
    TIER_OTHER,
    TIER_PERSON,
    TIER_SAFETY,
    NeedItem,
    apply_override,
    rule_order,
    tier,
)


def keys(needs: dict[str, str], priorities: tuple[str, ...] = ()) -> list[str]:
    return [item.key for item in rule_order([NeedItem(k, v) for k, v in needs.items()], priorities)]


CASES = [
    pytest.param(
        {"mental_health": "high", "basic:sleep_tonight": "urgent"},
        (),
        ["basic:sleep_tonight", "mental_health"],
        id="nowhere-to-sleep-tonight-before-a-high-mental-health-need",
    ),
    pytest.param(
        {"mental_health": "urgent", "basic:sleep_tonight": "urgent"},
        (),
        ["basic:sleep_tonight", "mental_health"],
        id="basic-need-before-even-an-urgent-non-safety-need",
    ),
    pytest.param(
        {"basic:sleep_tonight": "urgent", "risk_to_self": "high"},
        (),
        ["risk_to_self", "basic:sleep_tonight"],
        id="immediate-risk-before-basic-needs",
    ),
    pytest.param(
        {"risk_to_self": "high", "risk_from_others": "urgent", "safeguarding": "high"},
        (),
        ["risk_from_others", "risk_to_self", "safeguarding"],
        id="safety-urgent-before-high-then-code-list-order",
    ),
    pytest.param(
        {"risk_to_self": "moderate", "mental_health": "high"},
        (),
        ["mental_health", "risk_to_self"],
        id="a-moderate-risk-is-not-immediate-and-sorts-by-level",
    ),
    pytest.param(
        {
            "basic:id": "urgent",
            "basic:food": "urgent",
            "basic:sleep_tonight": "urgent",
            "basic:medication": "urgent",
        },
        (),
        ["basic:sleep_tonight", "basic:food", "basic:medication", "basic:id"],
        id="basic-needs-in-code-list-order-sleep-first",
    ),
    pytest.param(
        {"mental_health": "high", "housing": "high"},
        ("housing",),
        ["housing", "mental_health"],
        id="the-persons-priority-breaks-a-tie-between-equal-needs",
    ),
    pytest.param(
        {"mental_health": "high", "relationships": "low"},
        ("relationships",),
        ["relationships", "mental_health"],
        id="the-persons-priority-comes-before-the-rest-by-level",
    ),
    pytest.param(
        {"money": "moderate", "employment": "low", "relationships": "low"},
        ("relationships", "employment"),
        ["relationships", "employment", "money"],
        id="several-priorities-keep-the-persons-order",
    ),
    pytest.param(
        {"basic:sleep_tonight": "urgent", "money": "moderate", "housing": "moderate"},
        ("money",),
        ["basic:sleep_tonight", "money", "housing"],
        id="a-basic-need-stays-before-the-persons-priorities",
    ),
    pytest.param(
        {"risk_to_others": "high", "mental_health": "moderate"},
        ("mental_health",),
        ["risk_to_others", "mental_health"],
        id="a-priority-never-outranks-immediate-risk",
    ),
    pytest.param(
        {"substance_use": "low", "mental_health": "moderate", "physical_health": "high"},
        (),
        ["physical_health", "mental_health", "substance_use"],
        id="the-rest-highest-level-first",
    ),
    pytest.param(
        {"substance_use": "moderate", "mental_health": "moderate"},
        (),
        ["mental_health", "substance_use"],
        id="equal-levels-in-code-list-order",
    ),
    pytest.param(
        {"mental_health": "none", "housing": "low"},
        (),
        ["housing"],
        id="no-need-is-not-in-the-plan",
    ),
    pytest.param({}, (), [], id="no-needs-an-empty-plan"),
]


@pytest.mark.parametrize(("needs", "priorities", "expected"), CASES)
def test_the_ordering_rule(needs, priorities, expected):
    assert keys(needs, priorities) == expected


def test_the_order_does_not_depend_on_the_order_needs_arrive_in():
    needs = {"money": "moderate", "risk_to_self": "urgent", "basic:food": "urgent", "employment": "low"}
    forwards = keys(needs, ("employment",))
    backwards = keys(dict(reversed(list(needs.items()))), ("employment",))
    assert forwards == backwards == ["risk_to_self", "basic:food", "employment", "money"]


@pytest.mark.parametrize(
    ("key", "level", "priorities", "expected"),
    [
        ("risk_to_self", "urgent", (), TIER_SAFETY),
        ("risk_to_self", "low", (), TIER_OTHER),
        ("risk_to_self", "low", ("risk_to_self",), TIER_PERSON),
        ("safeguarding", "high", (), TIER_SAFETY),
        ("basic:phone", "urgent", (), TIER_BASIC),
        ("basic:phone", "urgent", ("basic:phone",), TIER_BASIC),
        ("housing", "urgent", (), TIER_OTHER),
        ("housing", "low", ("housing",), TIER_PERSON),
    ],
)
def test_each_need_is_in_the_tier_the_rule_names(key, level, priorities, expected):
    assert tier(NeedItem(key, level), priorities, codes()) == expected


def test_an_override_puts_named_needs_first_and_keeps_the_rest_in_rule_order():
    ordered = rule_order(
        [
            NeedItem("basic:sleep_tonight", "urgent"),
            NeedItem("mental_health", "high"),
            NeedItem("money", "low"),
        ],
        (),
    )
    assert [i.key for i in ordered] == ["basic:sleep_tonight", "mental_health", "money"]
    overridden = apply_override(ordered, ["mental_health", "basic:sleep_tonight"])
    assert [i.key for i in overridden] == ["mental_health", "basic:sleep_tonight", "money"]
    # Keys for needs no longer in the plan are ignored; no override gives the rule's order.
    assert [i.key for i in apply_override(ordered, ["housing", "money"])][0] == "money"
    assert apply_override(ordered, None) == ordered


def test_the_code_list_is_what_the_issue_asks_for():
    code_list = codes()
    assert len(code_list.domains) == 13
    assert {d.code for d in code_list.domains if d.safety} == {
        "risk_to_self",
        "risk_to_others",
        "risk_from_others",
        "safeguarding",
    }
    assert code_list.basic_needs[0].code == "sleep_tonight"
    assert {"food", "money_today", "medication", "phone", "id"} <= {b.code for b in code_list.basic_needs}
