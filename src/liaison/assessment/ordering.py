"""The order of a person's needs in their plan: a documented rule, then the practitioner's override.

The rule (docs/assessment.md), in four tiers:

1. Immediate risk and safety: a safety domain (risk to self, risk to others, risk from others,
   safeguarding and domestic abuse) rated high or urgent. Urgent before high, then code-list order.
2. Basic needs today (a safe place to sleep tonight, food, money for today, medication, phone, ID,
   ...), in code-list order: nobody engages with anything else while these are unmet.
3. The person's own priorities, in the order they gave.
4. Everything else, highest level first, then code-list order.

An override is a whole order with a reason. It wins for the needs it names; needs it does not name
(added since) follow in rule order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from liaison.assessment.codes import BASIC_PREFIX, LEVEL_RANK, CodeList, codes

SAFETY_LEVELS = frozenset({"high", "urgent"})

TIER_SAFETY = 1
TIER_BASIC = 2
TIER_PERSON = 3
TIER_OTHER = 4
TIER_LABELS = {
    TIER_SAFETY: "Immediate risk and safety",
    TIER_BASIC: "Basic needs today",
    TIER_PERSON: "The person's own priority",
    TIER_OTHER: "By level",
}


@dataclass(frozen=True, slots=True)
class NeedItem:
    key: str
    level: str


def tier(item: NeedItem, priorities: Sequence[str], code_list: CodeList) -> int:
    if not item.key.startswith(BASIC_PREFIX):
        domain = code_list.domain(item.key)
        if domain is not None and domain.safety and item.level in SAFETY_LEVELS:
            return TIER_SAFETY
    if item.key.startswith(BASIC_PREFIX):
        return TIER_BASIC
    if item.key in priorities:
        return TIER_PERSON
    return TIER_OTHER


def rule_order(
    needs: Iterable[NeedItem], priorities: Sequence[str], code_list: CodeList | None = None
) -> list[NeedItem]:
    """The needs (level above none) in the rule's order. Needs at "none" are not needs and are dropped."""
    code_list = code_list or codes()
    position = {key: index for index, key in enumerate(code_list.keys)}
    person_rank = {key: index for index, key in enumerate(priorities)}

    def sort_key(item: NeedItem) -> tuple[int, int, int]:
        item_tier = tier(item, priorities, code_list)
        level = -LEVEL_RANK[item.level]
        list_position = position.get(item.key, len(position))
        if item_tier == TIER_SAFETY:
            return (item_tier, level, list_position)
        if item_tier == TIER_BASIC:
            return (item_tier, list_position, 0)
        if item_tier == TIER_PERSON:
            return (item_tier, person_rank[item.key], 0)
        return (item_tier, level, list_position)

    return sorted((n for n in needs if n.level != "none"), key=sort_key)


def apply_override(ordered: Sequence[NeedItem], override: Sequence[str] | None) -> list[NeedItem]:
    """The rule's order with the override's keys first, in its order; the rest keep the rule's order."""
    if not override:
        return list(ordered)
    by_key = {item.key: item for item in ordered}
    named = [by_key[key] for key in dict.fromkeys(override) if key in by_key]
    named_keys = {item.key for item in named}
    return named + [item for item in ordered if item.key not in named_keys]
