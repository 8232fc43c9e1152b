"""Scoring: answers in; total, band, positive, flags and subscores out. Pure Python, no Django.

Every (definition, profile) pair is compiled once, at import, into lookup tables: the points each
answer value scores, the item ranges, the band for every possible total. Scoring is then a handful of
dictionary look-ups per item, fast enough for tens of thousands of scorings a second in one process.

Validation is strict and names the item: an unknown item, a value that is not one of the item's
published values (booleans and decimals are refused, not coerced), and a missing required item are
each reported, all at once, as a ScoringError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from liaison.screening.instruments.catalogue import DEFINITIONS
from liaison.screening.instruments.model import (
    AnswerProblem,
    Band,
    Definition,
    Item,
    Profile,
    Result,
    ScoringError,
    SpecialRule,
    UnknownInstrument,
)

Values = dict[str, int]
RuleOutput = tuple[int | None, int | None, bool | None, list[str], dict[str, int], list[str]]


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _or_list(values: Iterable[object]) -> str:
    words = [str(v) for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _and_list(values: Iterable[object]) -> str:
    words = [str(v) for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _name(item: Item) -> str:
    """'Item 9', or 'Item 5 (Part B, R)' when the item's label is not just its number."""
    plain = f"Item {item.key}"
    return plain if item.label == plain else f"{plain} ({item.label})"


class Compiled:
    """One definition under one profile, ready to score."""

    __slots__ = (
        "always_required",
        "required_set",
        "band_low",
        "band_table",
        "choice",
        "definition",
        "gated",
        "integer",
        "items",
        "lowest",
        "positive_at",
        "profile",
        "rule",
        "scored",
        "skippable",
        "special",
        "subscores",
        "total_max",
        "total_min",
    )

    def __init__(self, definition: Definition, profile: Profile) -> None:
        self.definition = definition
        self.profile = profile
        self.items: dict[str, Item] = {item.key: item for item in definition.items}
        self.choice: dict[str, dict[int, int]] = {}
        self.integer: dict[str, tuple[int, int | None]] = {}
        self.lowest: dict[str, int] = {}  # an item's lowest answer value
        lowest_points: dict[str, int] = {}
        highest_points: dict[str, int] = {}
        for item in definition.items:
            options = definition.options_for(item, profile)
            if options:
                self.choice[item.key] = {o.value: o.score for o in options}
                self.lowest[item.key] = min(o.value for o in options)
                lowest_points[item.key] = min(o.score for o in options)
                highest_points[item.key] = max(o.score for o in options)
            else:
                self.integer[item.key] = (item.minimum or 0, item.maximum)
                self.lowest[item.key] = item.minimum or 0
                lowest_points[item.key] = item.minimum or 0
                highest_points[item.key] = item.maximum if item.maximum is not None else 0
        items = definition.items
        self.always_required = tuple(
            i.key for i in items if i.required and not i.asked_when_any_nonzero and not i.skippable_after
        )
        self.gated = tuple(
            (i.key, i.asked_when_any_nonzero, i.required) for i in items if i.asked_when_any_nonzero
        )
        self.skippable = tuple(
            (i.key, i.skippable_after, self.lowest[i.skippable_after]) for i in items if i.skippable_after
        )
        self.scored = tuple(i.key for i in definition.items if i.scored)
        self.total_min = sum(lowest_points[k] for k in self.scored)
        self.total_max = sum(highest_points[k] for k in self.scored)
        self.subscores = tuple(
            (s.code, s.items, tuple(lowest_points[k] if s.from_zero else 0 for k in s.items))
            for s in definition.subscores
        )
        self.positive_at = profile.positive_at
        self.band_low, self.band_table = _band_table(profile.bands)
        self.required_set = frozenset(self.always_required)
        self.special = tuple((rule.flag, _special(self, rule)) for rule in definition.special_rules)
        try:
            self.rule = RULES[definition.rule]
        except KeyError:
            raise ValueError(f"{definition.code}: no scoring rule named {definition.rule!r}") from None

    # --- validation --------------------------------------------------------------------------

    def _item_problem(self, key: str, value: Any) -> AnswerProblem:
        item = self.items.get(key)
        field = f"answers.{key}"
        if item is None:
            keys = list(self.items)
            return AnswerProblem(
                field,
                f"There is no item {key} in {self.definition.short_title}: "
                f"its items are {keys[0]} to {keys[-1]}",
                key,
            )
        if key in self.choice:
            allowed = _or_list(sorted(self.choice[key]))
            return AnswerProblem(field, f"{_name(item)} must be one of {allowed}, not {_show(value)}", key)
        low, high = self.integer[key]
        limits = f"from {low} to {high}" if high is not None else f"of {low} or more"
        return AnswerProblem(field, f"{_name(item)} must be a whole number {limits}, not {_show(value)}", key)

    def check(
        self, answers: Mapping[Any, Any], *, complete: bool
    ) -> tuple[Values, Values, Values, list[AnswerProblem], list[str]]:
        """(values to score, their points, answers given but not asked, problems, notes)."""
        choice = self.choice
        integer = self.integer
        values: Values = {}
        points: Values = {}
        problems: list[AnswerProblem] = []
        bad: set[str] = set()  # answered, but wrongly: reported once, not also as missing
        for raw_key, value in answers.items():
            key = raw_key if type(raw_key) is str else str(raw_key)
            scores = choice.get(key)
            if scores is not None:
                if type(value) is int and value in scores:
                    values[key] = value
                    points[key] = scores[value]
                    continue
            else:
                bounds = integer.get(key)
                if (
                    bounds is not None
                    and type(value) is int
                    and value >= bounds[0]
                    and (bounds[1] is None or value <= bounds[1])
                ):
                    values[key] = points[key] = value
                    continue
            problems.append(self._item_problem(key, value))
            bad.add(key)
        notes: list[str] = []
        ignored: Values = {}
        if not complete:
            return values, points, ignored, problems, notes
        if not self.required_set.issubset(values):
            for key in self.always_required:
                if key not in values and key not in bad:
                    message = f"{_name(self.items[key])} needs an answer"
                    problems.append(AnswerProblem(f"answers.{key}", message, key))
        for key, after, lowest in self.skippable:
            if key in values or key in bad:
                continue
            if values.get(after) == lowest:
                values[key] = value = self.lowest[key]
                points[key] = choice[key][value] if key in choice else value
                notes.append(
                    f"Item {key} was skipped because item {after} had the lowest answer; it is scored as the "
                    "lowest answer, as the interview form directs."
                )
            elif after in values:
                problems.append(
                    AnswerProblem(
                        f"answers.{key}",
                        f"{_name(self.items[key])} needs an answer: it may be skipped only when item {after} "
                        "has the lowest answer",
                        key,
                    )
                )
        for key, gates, required in self.gated:
            asked = False
            for gate in gates:
                if values.get(gate, 0) != 0:
                    asked = True
                    break
            if asked:
                if required and key not in values and key not in bad:
                    problems.append(
                        AnswerProblem(
                            f"answers.{key}",
                            f"{_name(self.items[key])} needs an answer: it is asked when any of items "
                            f"{_or_list(gates)} is not 0",
                            key,
                        )
                    )
            elif key in values:
                ignored[key] = values.pop(key)
                del points[key]
        if ignored:
            keys = sorted(ignored, key=_key_order)
            notes.append(
                f"{'Items' if len(keys) > 1 else 'Item'} {_and_list(keys)} "
                f"{'were' if len(keys) > 1 else 'was'} answered but not asked (every answer that asks "
                f"{'them' if len(keys) > 1 else 'it'} was 0), so not scored."
            )
        return values, points, ignored, problems, notes

    # --- scoring -----------------------------------------------------------------------------

    def score(self, answers: Mapping[Any, Any]) -> Result:
        values, points, ignored, problems, notes = self.check(answers, complete=True)
        if problems:
            raise ScoringError(sorted(problems, key=lambda p: _key_order(p.item or "")))
        total, level, positive, flags, subscores, rule_notes = self.rule(self, values, points, ignored)
        if rule_notes:
            notes.extend(rule_notes)
        for code, keys, offsets in self.subscores:
            part = 0
            for key, offset in zip(keys, offsets, strict=True):
                if key not in points:
                    break
                part += points[key] - offset
            else:
                subscores[code] = part
        for flag, fired in self.special:
            if fired(values, positive, subscores) and flag not in flags:
                flags.append(flag)
        band = self._band(level)
        definition = self.definition
        return Result(
            definition.code,
            definition.version,
            self.profile.code,
            total,
            band.code if band else None,
            band.label if band else None,
            positive,
            tuple(flags),
            subscores,
            False,
            tuple(notes),
        )

    def _band(self, level: int | None) -> Band | None:
        if level is None or not self.band_table:
            return None
        index = level - self.band_low
        if 0 <= index < len(self.band_table):
            return self.band_table[index]
        return None


def _band_table(bands: tuple[Band, ...]) -> tuple[int, tuple[Band | None, ...]]:
    """Bands as a list indexed by total - lowest, checked to be contiguous and non-overlapping."""
    if not bands:
        return 0, ()
    ordered = sorted(bands, key=lambda b: b.low)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.low != before.high + 1:
            raise ValueError(f"bands {before.code} and {after.code} leave a gap or overlap")
    low = ordered[0].low
    table: list[Band | None] = []
    for band in ordered:
        table.extend([band] * (band.high - band.low + 1))
    return low, tuple(table)


def _key_order(key: str) -> tuple[int, str]:
    # isdigit() alone is true of "³", which int() refuses: an answer key is ASCII digits or unknown.
    return (int(key), "") if key.isascii() and key.isdigit() else (10_000, key)


# ---- scoring rules --------------------------------------------------------------------------------


def _sum(c: Compiled, values: Values, points: Values, ignored: Values) -> RuleOutput:
    total = 0
    for key in c.scored:
        if key in points:
            total += points[key]
    positive = None if c.positive_at is None else total >= c.positive_at
    return total, total, positive, [], {}, []


def _bjmhs(c: Compiled, values: Values, points: Values, ignored: Values) -> RuleOutput:
    symptoms = sum(values[k] for k in ("1", "2", "3", "4", "5", "6"))
    flags = []
    if values["7"] == 1:
        flags.append("bjmhs_rule_a")
    if values["8"] == 1:
        flags.append("bjmhs_rule_b")
    if symptoms >= 2:
        flags.append("bjmhs_rule_c")
    if values["9"] == 1:
        flags.append("bjmhs_rule_d")
    refer = bool(flags)
    return None, int(refer), refer, flags, {"symptoms": symptoms}, []


DECLINED = 9


def _asq(c: Compiled, values: Values, points: Values, ignored: Values) -> RuleOutput:
    screening = [values[k] for k in ("1", "2", "3", "4")]
    positive = any(v != 0 for v in screening)
    notes: list[str] = []
    flags: list[str] = []
    acute = values.get("5") == 1
    if not positive and ignored.get("5") == 1:
        # Not covered by the published rule; a "yes" to thoughts of suicide right now is never dropped.
        positive = acute = True
        notes.append(
            "Item 5 (thoughts of killing yourself right now) was answered yes although items 1-4 were all "
            "no: treated as an acute positive."
        )
    if DECLINED in screening:
        flags.append("asq_declined")
        notes.append("A refusal to answer items 1-4 counts as positive.")
    if not positive:
        return None, 0, False, flags, {}, notes
    flags[:0] = ["suicide_risk", "asq_acute_positive" if acute else "asq_non_acute_positive"]
    flags.append("asq_resource_list")
    return None, 2 if acute else 1, True, flags, {}, notes


def _osu_tbi(c: Compiled, values: Values, points: Values, ignored: Values) -> RuleOutput:
    loc = values.get("6", 0)
    dazed = values.get("7", 0)
    any_tbi = loc + dazed > 0
    flags = []
    if values.get("8") == 1:
        flags.append("tbi_worst")
    first_age = values.get("9")
    if loc > 0 and first_age is not None and first_age < c.profile.params["first_before"]:
        flags.append("tbi_first")
    if values.get("10") == 1 or values.get("11") == 1:
        flags.append("tbi_multiple")
    if any_tbi and (values.get("12") == 1 or values.get("13") == 1):
        flags.append("tbi_recent")
    if any_tbi and values.get("14") == 1:
        flags.append("tbi_other")
    level = 2 if flags else (1 if any_tbi else 0)
    return None, level, bool(flags), flags, {"injuries_with_loc": loc, "tbi_count": loc + dazed}, []


def _capture(c: Compiled, values: Values, points: Values, ignored: Values) -> RuleOutput:
    params = c.definition.rule_params
    outcome = values[params["outcome"]] == 1
    subscores = {name: values[key] for name, key in params.get("subscores", {}).items() if key in values}
    flags: list[str] = []
    notes: list[str] = []
    positive = outcome
    refer_below = c.profile.params.get("refer_below")
    if refer_below is not None and params.get("index") in values:
        by_cut_off = values[params["index"]] < refer_below
        if by_cut_off != outcome:
            flags.append("hasi_outcome_differs_from_cut_off")
            notes.append(
                "The recorded outcome disagrees with the index and the cut-off "
                f"(below {refer_below}: refer). Treated as positive until checked."
            )
            positive = True
    if positive:
        flags.insert(0, params["flag"])
    return None, int(positive), positive, flags, subscores, notes


RULES: dict[str, Callable[[Compiled, Values, Values, Values], RuleOutput]] = {
    "sum": _sum,
    "bjmhs": _bjmhs,
    "asq": _asq,
    "osu_tbi": _osu_tbi,
    "capture": _capture,
}


Special = Callable[[Values, bool | None, dict[str, int]], bool]


def _special(c: Compiled, rule: SpecialRule) -> Special:
    """A special rule as a function of (values, positive, subscores), built once."""
    params = rule.params
    if rule.kind == "item_at_least":
        item, threshold = params["item"], params["value"]
        return lambda values, positive, subscores: values.get(item, 0) >= threshold
    if rule.kind == "positive":
        return lambda values, positive, subscores: bool(positive)
    if rule.kind == "subscore_at_least":
        name, threshold = params["subscore"], params["value"]
        return lambda values, positive, subscores: subscores.get(name, -1) >= threshold
    if rule.kind == "custom":
        custom = CUSTOM[params["name"]]
        return lambda values, positive, subscores: custom(c, values, positive)
    raise ValueError(f"{c.definition.code}: no special rule kind {rule.kind!r}")


# ---- special rules that need more than a threshold ------------------------------------------------


def _phq9_mds(c: Compiled, values: Values, positive: bool | None) -> bool:
    core = values["1"] >= 2 or values["2"] >= 2
    count = sum(1 for k in ("1", "2", "3", "4", "5", "6", "7", "8") if values[k] >= 2) + (values["9"] >= 1)
    return core and count >= 5


def _audit_dependence(c: Compiled, values: Values, positive: bool | None) -> bool:
    high = [values[k] >= 2 for k in ("4", "5", "6")]
    return all(high) if c.profile.params.get("dependence") == "all" else any(high)


def _audit_items_9_10(c: Compiled, values: Values, positive: bool | None) -> bool:
    return values["9"] == 4 or values["10"] == 4


def _audit_c_uk_next_step(c: Compiled, values: Values, positive: bool | None) -> bool:
    return bool(positive and c.profile.params.get("full_audit_next"))


def _audit_c_item_1_only(c: Compiled, values: Values, positive: bool | None) -> bool:
    return bool(
        c.profile.params.get("item_1_only_review") and positive and values["2"] == 0 and values["3"] == 0
    )


CUSTOM: dict[str, Callable[[Compiled, Values, bool | None], bool]] = {
    "phq9_major_depressive_syndrome": _phq9_mds,
    "audit_dependence": _audit_dependence,
    "audit_items_9_10": _audit_items_9_10,
    "audit_c_uk_next_step": _audit_c_uk_next_step,
    "audit_c_item_1_only": _audit_c_item_1_only,
}


# ---- the registry ---------------------------------------------------------------------------------

_BY_VERSION: dict[tuple[str, str], Definition] = {}
_CURRENT: dict[str, Definition] = {}
_COMPILED: dict[tuple[str, str, str], Compiled] = {}


def _register(definitions: Iterable[Definition]) -> None:
    for definition in definitions:
        key = (definition.code, definition.version)
        if key in _BY_VERSION:
            raise ValueError(f"{definition.code} version {definition.version} is defined twice")
        _BY_VERSION[key] = definition
        _CURRENT[definition.code] = definition  # the last version listed is the current one
        for profile in definition.profiles:
            _COMPILED[(definition.code, definition.version, profile.code)] = Compiled(definition, profile)


_register(DEFINITIONS)
# The current version of each instrument by (code, profile), None meaning the default profile:
# the one dictionary look-up a scoring call makes to find its tables.
_FAST: dict[tuple[str, str | None], Compiled] = {}
for _definition in _CURRENT.values():
    for _profile in _definition.profiles:
        _FAST[(_definition.code, _profile.code)] = _COMPILED[
            (_definition.code, _definition.version, _profile.code)
        ]
    _FAST[(_definition.code, None)] = _FAST[(_definition.code, "")] = _FAST[
        (_definition.code, _definition.default_profile.code)
    ]


def get(code: str, version: str | None = None) -> Definition:
    """The definition (the current version unless one is asked for); UnknownInstrument if none."""
    definition = _CURRENT.get(code) if version is None else _BY_VERSION.get((code, version))
    if definition is None:
        raise UnknownInstrument(code, version)
    return definition


def all_current() -> tuple[Definition, ...]:
    return tuple(_CURRENT.values())


def for_age(age: int | None) -> tuple[Definition, ...]:
    """The current instruments suited to someone this old (all of them when the age is not known)."""
    return tuple(d for d in _CURRENT.values() if d.suits_age(age))


def compiled(code: str, profile: str | None = None, version: str | None = None) -> Compiled:
    if version is None:
        fast = _FAST.get((code, profile))
        if fast is not None:
            return fast
    definition = get(code, version)
    chosen = definition.profile(profile)
    if chosen is None:
        codes = _or_list(p.code for p in definition.profiles)
        raise ScoringError(
            [AnswerProblem("profile", f"{definition.short_title} has no profile {profile!r}: use {codes}")]
        )
    return _COMPILED[(definition.code, definition.version, chosen.code)]


def score(
    code: str, answers: Mapping[Any, Any], profile: str | None = None, *, version: str | None = None
) -> Result:
    """Score complete answers. ScoringError names every problem; UnknownInstrument for a bad code."""
    return compiled(code, profile, version).score(answers)


def check(
    code: str, answers: Mapping[Any, Any], profile: str | None = None, *, version: str | None = None
) -> list[AnswerProblem]:
    """Problems with partial answers (a draft): unknown items and values out of range, not missing ones."""
    try:
        scorer = compiled(code, profile, version)
    except ScoringError as exc:
        return list(exc.problems)
    return scorer.check(answers, complete=False)[3]
