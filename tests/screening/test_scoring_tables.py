"""Every instrument's published rules as tables: each band boundary, each cut-off, each special rule.

Written from shared/design/instruments.md (section numbers in each block), not from the code.
Answer values are the published ones (yes = 1, no = 0) keyed by item number.
"""

from __future__ import annotations

import pytest

from liaison.screening import instruments
from liaison.screening.instruments import ScoringError
from tests.screening.conftest import numbered, spread

PHQ9_1_8 = [str(n) for n in range(1, 9)]


def phq9(total: int, item9: int = 0) -> dict[str, int]:
    return spread(total - item9, PHQ9_1_8, 3, {"9": item9})


# --- 3.1 PHQ-9 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "none-minimal", False),
        (4, "none-minimal", False),
        (5, "mild", False),
        (9, "mild", False),
        (10, "moderate", True),
        (14, "moderate", True),
        (15, "moderately-severe", True),
        (19, "moderately-severe", True),
        (20, "severe", True),
        (24, "severe", True),
    ],
)
def test_phq9_bands_and_cut_off(total, band, positive):
    result = instruments.score("phq-9", phq9(total))
    assert (result.total, result.band, result.positive) == (total, band, positive)
    assert "suicide_risk" not in result.flags


def test_phq9_maximum_is_27_and_severe():
    result = instruments.score("phq-9", numbered(9, 3))
    assert (result.total, result.band) == (27, "severe")


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item_9_above_0_always_flags_suicide_risk_whatever_the_total(item9):
    result = instruments.score("phq-9", phq9(item9, item9=item9))
    assert result.total == item9
    assert result.band == "none-minimal" and result.positive is False
    assert result.flags[0] == "suicide_risk"


def test_phq9_item_9_at_0_never_flags_suicide_risk_even_when_severe():
    result = instruments.score("phq-9", phq9(24))
    assert result.band == "severe"
    assert "suicide_risk" not in result.flags


def test_phq9_item_10_is_optional_and_not_scored():
    answers = phq9(12)
    without = instruments.score("phq-9", answers)
    with_difficulty = instruments.score("phq-9", {**answers, "10": 3})
    assert without.total == with_difficulty.total == 12


def test_phq9_phq2_subscore_is_items_1_and_2():
    answers = {**numbered(9, 0), "1": 3, "2": 2, "5": 1}
    assert instruments.score("phq-9", answers).subscores == {"phq2": 5}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # Item 1 at 2 plus four more items at 2: five positive items including a core one.
        ({"1": 2, "3": 2, "4": 2, "5": 2, "6": 2}, True),
        # Item 9 counts as positive at 1.
        ({"2": 2, "3": 2, "4": 2, "5": 2, "9": 1}, True),
        # Five positive items but neither item 1 nor 2 at 2 or more.
        ({"1": 1, "3": 3, "4": 3, "5": 3, "6": 3, "7": 3}, False),
        # A core item but only four positive items.
        ({"1": 3, "3": 2, "4": 2, "5": 2}, False),
        # Items 1-8 at 1 do not count as positive.
        ({"1": 2, "2": 2, "3": 1, "4": 1, "5": 1, "6": 1}, False),
    ],
)
def test_phq9_major_depressive_syndrome_algorithm(answers, expected):
    result = instruments.score("phq-9", {**numbered(9, 0), **answers})
    assert ("phq9_major_depressive_syndrome" in result.flags) is expected


def test_phq9_answer_labels_and_loinc_codes_are_pinned():
    item = instruments.get("phq-9").item("1")
    assert [(o.value, o.label, o.loinc) for o in item.options] == [
        (0, "Not at all", "LA6568-5"),
        (1, "Several days", "LA6569-3"),
        (2, "More than half the days", "LA6570-1"),
        (3, "Nearly every day", "LA6571-9"),
    ]
    definition = instruments.get("phq-9")
    assert (definition.loinc_panel, definition.loinc_total) == ("44249-1", "44261-6")
    assert [i.loinc for i in definition.items[:9]] == [
        "44250-9",
        "44255-8",
        "44259-0",
        "44254-1",
        "44251-7",
        "44258-2",
        "44252-5",
        "44253-3",
        "44260-8",
    ]


# --- 3.2 PHQ-2 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "total", "positive"),
    [
        (None, 2, False),
        (None, 3, True),
        ("kroenke-2003", 6, True),
        ("arroll-2010", 1, False),
        ("arroll-2010", 2, True),
    ],
)
def test_phq2_cut_offs(profile, total, positive):
    result = instruments.score("phq-2", spread(total, ["1", "2"], 3), profile)
    assert (result.total, result.positive) == (total, positive)
    assert ("administer_full_phq9" in result.flags) is positive


# --- 3.3 / 3.4 GAD-7 and GAD-2 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "minimal", False),
        (4, "minimal", False),
        (5, "mild", False),
        (9, "mild", False),
        (10, "moderate", True),
        (14, "moderate", True),
        (15, "severe", True),
        (21, "severe", True),
    ],
)
def test_gad7_bands_and_cut_off(total, band, positive):
    result = instruments.score("gad-7", spread(total, [str(n) for n in range(1, 8)], 3))
    assert (result.total, result.band, result.positive) == (total, band, positive)


def test_gad7_zero_option_is_not_at_all_not_not_at_all_sure():
    labels = [o.label for o in instruments.get("gad-7").item("1").options]
    assert labels == ["Not at all", "Several days", "More than half the days", "Nearly every day"]


@pytest.mark.parametrize(
    ("pacio_answers", "total"),
    # Regression fixtures in the spirit of the PACIO examples: totals 4 and 7.
    [((1, 1, 1, 1, 0, 0, 0), 4), ((1, 1, 1, 1, 1, 1, 1), 7)],
)
def test_gad7_example_totals(pacio_answers, total):
    answers = {str(n): v for n, v in enumerate(pacio_answers, start=1)}
    assert instruments.score("gad-7", answers).total == total


@pytest.mark.parametrize(("total", "positive"), [(0, False), (2, False), (3, True), (6, True)])
def test_gad2_cut_off(total, positive):
    result = instruments.score("gad-2", spread(total, ["1", "2"], 3))
    assert result.positive is positive
    assert ("administer_full_gad7" in result.flags) is positive


# --- 3.5 / 3.6 K10 and K6 -------------------------------------------------------------------------

K10_KEYS = [str(n) for n in range(1, 11)]


def k10_au(total: int) -> dict[str, int]:
    """Australian values 1..5 adding up to total (10..50)."""
    extra = spread(total - 10, K10_KEYS, 4)
    return {k: v + 1 for k, v in extra.items()}


@pytest.mark.parametrize(
    ("total", "abs_band", "andrews_slade_band"),
    [
        (10, "low", "likely-well"),
        (15, "low", "likely-well"),
        (16, "moderate", "likely-well"),
        (17, "moderate", "likely-well"),
        (19, "moderate", "likely-well"),
        (20, "moderate", "mild"),
        (21, "moderate", "mild"),
        (22, "high", "mild"),
        (24, "high", "mild"),
        (25, "high", "moderate"),
        (29, "high", "moderate"),
        (30, "very-high", "severe"),
        (50, "very-high", "severe"),
    ],
)
def test_k10_both_band_schemes(total, abs_band, andrews_slade_band):
    answers = k10_au(total)
    abs_result = instruments.score("k10", answers)  # ABS is the default
    assert (abs_result.profile, abs_result.total, abs_result.band) == ("au-abs", total, abs_band)
    assert abs_result.positive is None  # the reference gives bands, not a single cut-off
    assert instruments.score("k10", answers, "au-andrews-slade").band == andrews_slade_band


def test_k10_us_convention_scores_0_to_4_without_bands():
    answers = {k: v - 1 for k, v in k10_au(30).items()}
    result = instruments.score("k10", answers, "us-0-4")
    assert (result.total, result.band, result.positive) == (20, None, None)
    with pytest.raises(ScoringError) as caught:
        instruments.score("k10", k10_au(30), "us-0-4")  # 5 is not a US value
    assert {p.field for p in caught.value.problems} == {f"answers.{n}" for n in range(1, 6)}


@pytest.mark.parametrize(("skipped", "before"), [("3", "2"), ("6", "5")])
def test_k10_item_skipped_after_none_of_the_time_scores_1(skipped, before):
    answers = dict.fromkeys(K10_KEYS, 2) | {before: 1}
    del answers[skipped]
    result = instruments.score("k10", answers)
    assert result.total == 2 * 8 + 1 + 1
    assert any(f"Item {skipped} was skipped" in note for note in result.notes)


def test_k10_item_3_may_not_be_skipped_when_item_2_is_above_none_of_the_time():
    answers = dict.fromkeys(K10_KEYS, 2)
    del answers["3"]
    with pytest.raises(ScoringError) as caught:
        instruments.score("k10", answers)
    assert [p.field for p in caught.value.problems] == ["answers.3"]


@pytest.mark.parametrize(("k6", "flagged"), [(12, False), (13, True), (24, True)])
def test_k10_derives_k6_rescored_0_to_4(k6, flagged):
    answers = dict.fromkeys(K10_KEYS, 1) | {
        k: v + 1 for k, v in spread(k6, ["2", "4", "5", "8", "9", "10"], 4).items()
    }
    result = instruments.score("k10", answers)
    assert result.subscores["k6"] == k6
    assert ("k6_probable_smi" in result.flags) is flagged


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "below-moderate", False),
        (4, "below-moderate", False),
        (5, "moderate", False),
        (12, "moderate", False),
        (13, "probable-smi", True),
        (24, "probable-smi", True),
    ],
)
def test_k6_cut_offs(total, band, positive):
    result = instruments.score("k6", spread(total, [str(n) for n in range(1, 7)], 4))
    assert (result.total, result.band, result.positive) == (total, band, positive)


# --- 3.7 BJMHS ------------------------------------------------------------------------------------


def bjmhs(**yes: int) -> dict[str, int]:
    return numbered(9, 0) | {k.lstrip("i"): v for k, v in yes.items()}


@pytest.mark.parametrize(
    ("answers", "refer", "rules"),
    [
        (bjmhs(), False, []),
        (bjmhs(i7=1), True, ["bjmhs_rule_a"]),
        (bjmhs(i8=1), True, ["bjmhs_rule_b"]),
        (bjmhs(i1=1), False, []),  # one symptom is not enough
        (bjmhs(i1=1, i6=1), True, ["bjmhs_rule_c"]),
        (bjmhs(i2=1, i3=1, i4=1, i5=1), True, ["bjmhs_rule_c"]),
        (bjmhs(i9=1), True, ["bjmhs_rule_d"]),
        (
            bjmhs(i7=1, i8=1, i1=1, i2=1, i9=1),
            True,
            ["bjmhs_rule_a", "bjmhs_rule_b", "bjmhs_rule_c", "bjmhs_rule_d"],
        ),
    ],
)
def test_bjmhs_referral_rules(answers, refer, rules):
    result = instruments.score("bjmhs", answers)
    assert result.total is None
    assert result.positive is refer
    assert result.band == ("refer" if refer else "no-referral")
    assert list(result.flags) == rules


# --- 3.9 AUDIT ------------------------------------------------------------------------------------


def audit(total: int, **fixed: int) -> dict[str, int]:
    base = {"9": 0, "10": 0} | {k.lstrip("i"): v for k, v in fixed.items()}
    free = [k for k in ("1", "2", "3", "7", "8", "4", "5", "6") if k not in base]
    return spread(total - sum(base.values()), free, 4, base)


@pytest.mark.parametrize(
    ("total", "uk", "who", "positive"),
    [
        (0, "lower-risk", "zone-1", False),
        (7, "lower-risk", "zone-1", False),
        (8, "increasing-risk", "zone-2", True),
        (15, "increasing-risk", "zone-2", True),
        (16, "higher-risk", "zone-3", True),
        (19, "higher-risk", "zone-3", True),
        (20, "possible-dependence", "zone-4", True),
        (40, "possible-dependence", "zone-4", True),
    ],
)
def test_audit_uk_and_who_bands(total, uk, who, positive):
    answers = audit(total, i9=4, i10=4) if total == 40 else audit(total)
    result = instruments.score("audit", answers)
    assert (result.profile, result.total, result.band, result.positive) == ("uk", total, uk, positive)
    assert instruments.score("audit", answers, "who").band == who


def test_audit_lower_who_cut_off_for_women_and_over_65s_is_7():
    assert instruments.score("audit", audit(6), "who-women-over-65").positive is False
    result = instruments.score("audit", audit(7), "who-women-over-65")
    assert (result.positive, result.band) == (True, "zone-1")


@pytest.mark.parametrize("value", [1, 3])
def test_audit_items_9_and_10_take_only_0_2_or_4(value):
    with pytest.raises(ScoringError) as caught:
        instruments.score("audit", audit(0) | {"9": value})
    problem = caught.value.problems[0]
    assert problem.field == "answers.9"
    assert "0, 2 or 4" in problem.message


@pytest.mark.parametrize(
    ("dependence", "profile", "flagged"),
    [
        ({"4": 2, "5": 0, "6": 0}, "uk", True),
        ({"4": 1, "5": 1, "6": 1}, "uk", False),
        ({"4": 2, "5": 0, "6": 0}, "uk-dependence-all", False),
        ({"4": 2, "5": 2, "6": 3}, "uk-dependence-all", True),
    ],
)
def test_audit_dependence_escalation_any_or_all_by_profile(dependence, profile, flagged):
    answers = audit(0) | dependence
    result = instruments.score("audit", answers, profile)
    assert ("audit_escalation_dependence" in result.flags) is flagged


@pytest.mark.parametrize(("nine", "ten", "flagged"), [(4, 0, True), (0, 4, True), (2, 2, False)])
def test_audit_items_9_or_10_at_4_escalate_whatever_the_total(nine, ten, flagged):
    result = instruments.score("audit", audit(0) | {"9": nine, "10": ten})
    assert ("audit_escalation_items_9_10" in result.flags) is flagged


def test_audit_carries_audit_c_subscore():
    assert instruments.score("audit", audit(0) | {"1": 4, "2": 3, "3": 1}).subscores == {"audit_c": 8}


# --- 3.10 AUDIT-C ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "uk", "us_men", "us_women"),
    [
        (0, False, False, False),
        (2, False, False, False),
        (3, False, False, True),
        (4, False, True, True),  # the boundary: US man positive, UK negative
        (5, True, True, True),
        (12, True, True, True),
    ],
)
def test_audit_c_uk_and_us_cut_offs(total, uk, us_men, us_women):
    answers = spread(total, ["1", "2", "3"], 4)
    assert instruments.score("audit-c", answers).positive is uk  # UK is the default
    assert instruments.score("audit-c", answers, "us-men").positive is us_men
    assert instruments.score("audit-c", answers, "us-women").positive is us_women
    assert ("administer_full_audit" in instruments.score("audit-c", answers).flags) is uk


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "abstainer"),
        (1, "low-risk"),
        (4, "low-risk"),
        (5, "increasing-risk"),
        (7, "increasing-risk"),
        (8, "higher-risk"),
        (10, "higher-risk"),
        (11, "possible-dependence"),
        (12, "possible-dependence"),
    ],
)
def test_audit_c_local_nhs_bands(total, band):
    assert instruments.score("audit-c", spread(total, ["1", "2", "3"], 4), "uk-local-bands").band == band


def test_audit_c_us_review_when_all_points_come_from_item_1():
    result = instruments.score("audit-c", {"1": 4, "2": 0, "3": 0}, "us-men")
    assert result.positive and "auditc_points_from_item_1_only" in result.flags
    assert (
        "auditc_points_from_item_1_only"
        not in instruments.score("audit-c", {"1": 3, "2": 1, "3": 0}, "us-men").flags
    )
    assert (
        "auditc_points_from_item_1_only" not in instruments.score("audit-c", {"1": 4, "2": 0, "3": 1}).flags
    )


# --- 3.13 DAST-10 ---------------------------------------------------------------------------------


def dast(yes: set[int], item3: int = 1) -> dict[str, int]:
    answers = {str(n): int(n in yes) for n in range(1, 11)}
    answers["3"] = item3
    return answers


@pytest.mark.parametrize(
    ("answers", "total", "band", "positive"),
    [
        (dast(set()), 0, "none", False),  # item 3 "yes" (able to stop) scores 0
        (dast(set(), item3=0), 1, "low", False),  # all "no" scores 1: item 3 is reversed
        (dast({1}), 1, "low", False),
        (dast({1, 2}), 2, "low", False),
        (dast({1, 2, 4}), 3, "moderate", True),
        (dast({1, 2, 4, 5, 6}), 5, "moderate", True),
        (dast({1, 2, 4, 5, 6, 7}), 6, "substantial", True),
        (dast({1, 2, 4, 5, 6, 7, 8, 9}), 8, "substantial", True),
        (dast({1, 2, 4, 5, 6, 7, 8, 9, 10}), 9, "severe", True),
        (dast({1, 2, 4, 5, 6, 7, 8, 9, 10}, item3=0), 10, "severe", True),
    ],
)
def test_dast10_reverse_scored_item_3_and_bands(answers, total, band, positive):
    result = instruments.score("dast-10", answers)
    assert (result.total, result.band, result.positive) == (total, band, positive)


def test_dast10_all_no_is_not_short_circuited_to_0():
    result = instruments.score("dast-10", numbered(10, 0))
    assert result.total == 1


# --- 3.16 ASQ -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "band", "positive", "flags"),
    [
        ({"1": 0, "2": 0, "3": 0, "4": 0}, "negative", False, []),
        (
            {"1": 1, "2": 0, "3": 0, "4": 0, "5": 0},
            "non-acute-positive",
            True,
            ["suicide_risk", "asq_non_acute_positive", "asq_resource_list"],
        ),
        (
            {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1},
            "acute-positive",
            True,
            ["suicide_risk", "asq_acute_positive", "asq_resource_list"],
        ),
        # A refusal to answer counts as positive.
        (
            {"1": 0, "2": 9, "3": 0, "4": 0, "5": 0},
            "non-acute-positive",
            True,
            ["suicide_risk", "asq_non_acute_positive", "asq_declined", "asq_resource_list"],
        ),
        # Item 5 is not needed when negative, and a "no" to it then changes nothing.
        ({"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}, "negative", False, []),
    ],
)
def test_asq_acute_and_non_acute_positives(answers, band, positive, flags):
    result = instruments.score("asq", answers)
    assert result.total is None
    assert (result.band, result.positive, list(result.flags)) == (band, positive, flags)


def test_asq_positive_needs_the_acuity_question():
    with pytest.raises(ScoringError) as caught:
        instruments.score("asq", {"1": 0, "2": 0, "3": 1, "4": 0})
    assert [p.field for p in caught.value.problems] == ["answers.5"]


def test_asq_yes_to_thoughts_right_now_is_never_dropped():
    result = instruments.score("asq", {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1})
    assert result.band == "acute-positive" and "suicide_risk" in result.flags


# --- 3.15 CRAFFT 2.1 ------------------------------------------------------------------------------


def crafft(days: tuple[int, int, int], part_b: dict[int, int]) -> dict[str, int]:
    return {"1": days[0], "2": days[1], "3": days[2]} | {str(k): v for k, v in part_b.items()}


@pytest.mark.parametrize(
    ("answers", "total", "positive", "car"),
    [
        (crafft((0, 0, 0), {4: 0}), 0, False, False),
        (crafft((0, 0, 0), {4: 1}), 1, False, True),  # CAR counselling below the cut-off
        (crafft((3, 0, 0), {4: 0, 5: 1, 6: 0, 7: 0, 8: 0, 9: 0}), 1, False, False),
        (crafft((0, 5, 0), {4: 0, 5: 1, 6: 1, 7: 0, 8: 0, 9: 0}), 2, True, False),
        (crafft((1, 1, 1), {4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1}), 6, True, True),
    ],
)
def test_crafft_score_cut_off_and_car_rule(answers, total, positive, car):
    result = instruments.score("crafft", answers)
    assert (result.total, result.positive) == (total, positive)
    assert ("crafft_car" in result.flags) is car


def test_crafft_only_car_is_asked_when_part_a_is_all_0():
    result = instruments.score("crafft", crafft((0, 0, 0), {4: 0, 5: 1, 6: 1}))
    assert result.total == 0  # items 5 and 6 were not asked
    assert any("not asked" in note for note in result.notes)


def test_crafft_part_b_is_required_once_part_a_is_above_0():
    with pytest.raises(ScoringError) as caught:
        instruments.score("crafft", crafft((0, 0, 2), {4: 0}))
    assert [p.field for p in caught.value.problems] == [f"answers.{n}" for n in range(5, 10)]


# --- 3.20 AQ-10 -----------------------------------------------------------------------------------


AGREE_ITEMS = {1, 7, 8, 10}


def aq10(points: int) -> dict[str, int]:
    """`points` items scoring 1 (the first ones), the rest scoring 0; mixing definitely/slightly."""
    answers = {}
    for n in range(1, 11):
        scores = n <= points
        agree = (n in AGREE_ITEMS) == scores
        answers[str(n)] = (0 if n % 2 else 1) if agree else (3 if n % 2 else 2)
    return answers


@pytest.mark.parametrize(
    ("points", "nhs", "printed"),
    [(0, False, False), (5, False, False), (6, True, False), (7, True, True), (10, True, True)],
)
def test_aq10_direction_scoring_and_both_cut_off_profiles(points, nhs, printed):
    answers = aq10(points)
    default = instruments.score("aq-10", answers)
    assert (default.profile, default.total, default.positive) == ("nhs-6-or-above", points, nhs)
    assert instruments.score("aq-10", answers, "printed-form-more-than-6").positive is printed


@pytest.mark.parametrize(("item", "agree_scores"), [(1, True), (2, False), (7, True), (9, False), (10, True)])
def test_aq10_each_item_scores_in_its_direction(item, agree_scores):
    base = {str(n): (2 if n in AGREE_ITEMS else 0) for n in range(1, 11)}  # every item scoring 0
    for value in (0, 1):  # definitely / slightly agree
        assert instruments.score("aq-10", base | {str(item): value}).total == int(agree_scores)
    for value in (2, 3):  # slightly / definitely disagree
        assert instruments.score("aq-10", base | {str(item): value}).total == int(not agree_scores)


# --- 3.22 OSU TBI-ID ------------------------------------------------------------------------------


def osu(**answers: int) -> dict[str, int]:
    probes = {"1": 1, "2": 0, "3": 0, "4": 0, "5": 0}
    rest = {"6": 0, "7": 0, "10": 0, "11": 0, "12": 0, "13": 0, "14": 0}
    return probes | rest | {k.lstrip("i"): v for k, v in answers.items()}


@pytest.mark.parametrize(
    ("answers", "profile", "band", "flags"),
    [
        ({**numbered(5, 0), "11": 0}, None, "no-tbi", []),
        (osu(), None, "no-tbi", []),
        (osu(i7=1), None, "tbi-no-index", []),
        (osu(i6=1, i8=1, i9=30), None, "tbi-index", ["tbi_worst"]),
        (osu(i6=1, i8=0, i9=14), None, "tbi-index", ["tbi_first"]),
        (osu(i6=1, i8=0, i9=15), None, "tbi-no-index", []),
        (osu(i6=1, i8=0, i9=15), "osu-first-before-20", "tbi-index", ["tbi_first"]),
        (osu(i6=1, i8=0, i9=20), "osu-first-before-20", "tbi-no-index", []),
        (osu(i7=2, i10=1), None, "tbi-index", ["tbi_multiple"]),
        ({**numbered(5, 0), "11": 1}, None, "tbi-index", ["tbi_multiple"]),  # repeated blows
        (osu(i7=1, i12=1), None, "tbi-index", ["tbi_recent"]),
        (osu(i6=1, i8=0, i9=40, i13=1), None, "tbi-index", ["tbi_recent"]),
        (osu(i7=1, i14=1), None, "tbi-index", ["tbi_other"]),
        (osu(i14=1), None, "no-tbi", []),  # OTHER needs a TBI
    ],
)
def test_osu_tbi_id_summary_indices(answers, profile, band, flags):
    result = instruments.score("osu-tbi-id", answers, profile)
    assert result.total is None
    assert (result.band, list(result.flags)) == (band, flags)
    assert result.positive is bool(flags)


def test_osu_tbi_id_counts_injuries_with_loss_of_consciousness():
    result = instruments.score("osu-tbi-id", osu(i6=3, i7=2, i8=0, i9=25))
    assert result.subscores == {"injuries_with_loc": 3, "tbi_count": 5}


def test_osu_tbi_id_needs_the_age_at_first_loss_of_consciousness():
    with pytest.raises(ScoringError) as caught:
        instruments.score("osu-tbi-id", osu(i6=1))
    assert [p.field for p in caught.value.problems] == ["answers.8", "answers.9"]


# --- 3.18 / 3.19 / 3.21 result capture ------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "answers", "positive", "flags"),
    [
        ("ldsq", {"3": 0}, False, []),
        ("ldsq", {"1": 12, "2": 40, "3": 1}, True, ["learning_disability_indicated"]),
        ("hasi", {"1": 90, "2": 0}, False, []),
        ("hasi", {"1": 80, "2": 1}, True, ["hasi_refer"]),
        ("hasi", {"1": 85, "2": 0}, False, []),  # 85 is not below 85
        ("hasi", {"1": 84, "2": 0}, True, ["hasi_refer", "hasi_outcome_differs_from_cut_off"]),
        ("bisi", {"2": 0}, False, []),
        ("bisi", {"1": 7, "2": 1}, True, ["brain_injury_indicated"]),
    ],
)
def test_result_capture_records_the_outcome(code, answers, positive, flags):
    result = instruments.score(code, answers)
    assert (result.total, result.positive, list(result.flags)) == (None, positive, flags)


def test_hasi_norwegian_profile_refers_below_81():
    assert instruments.score("hasi", {"1": 82, "2": 0}, "norwegian-81").positive is False
    assert instruments.score("hasi", {"1": 80, "2": 0}, "norwegian-81").positive is True


def test_ldsq_keeps_the_entered_scores_as_subscores():
    assert instruments.score("ldsq", {"1": 12, "2": 40, "3": 1}).subscores == {
        "raw_score": 12,
        "converted_score": 40,
    }


# --- bad input names the item ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "answers", "field", "words"),
    [
        ("phq-9", phq9(5) | {"3": 4}, "answers.3", "must be one of 0, 1, 2 or 3, not 4"),
        ("phq-9", phq9(5) | {"11": 0}, "answers.11", "no item 11 in PHQ-9"),
        ("phq-9", {k: v for k, v in phq9(5).items() if k != "9"}, "answers.9", "Item 9 needs an answer"),
        ("phq-9", phq9(5) | {"2": True}, "answers.2", "not true"),
        ("phq-9", phq9(5) | {"2": 1.5}, "answers.2", "not 1.5"),
        ("phq-9", phq9(5) | {"2": "1"}, "answers.2", "not '1'"),
        ("phq-9", phq9(5) | {"2": None}, "answers.2", "not null"),
        ("crafft", crafft((0, 0, 367), {4: 0}), "answers.3", "from 0 to 366"),
        ("crafft", crafft((-1, 0, 0), {4: 0}), "answers.1", "from 0 to 366"),
        ("crafft", crafft((0, 0, 1), {4: 0, 5: 1, 6: 1, 7: 0, 8: 0}), "answers.9", "Part B, T"),
    ],
)
def test_bad_answers_name_the_item(code, answers, field, words):
    with pytest.raises(ScoringError) as caught:
        instruments.score(code, answers)
    assert [p.field for p in caught.value.problems] == [field]
    assert words in caught.value.problems[0].message


def test_every_problem_is_reported_at_once_in_item_order():
    with pytest.raises(ScoringError) as caught:
        instruments.score("gad-7", {"1": 9, "12": 0, "3": 1})
    assert [p.field for p in caught.value.problems] == [
        "answers.1",
        "answers.2",
        "answers.4",
        "answers.5",
        "answers.6",
        "answers.7",
        "answers.12",
    ]


def test_unknown_profile_and_instrument():
    with pytest.raises(ScoringError) as caught:
        instruments.score("audit-c", {"1": 0, "2": 0, "3": 0}, "scotland")
    assert caught.value.problems[0].field == "profile"
    with pytest.raises(instruments.UnknownInstrument):
        instruments.score("c-ssrs", {})


def test_integer_keys_are_accepted_for_python_callers():
    assert instruments.score("gad-2", {1: 2, 2: 1}).total == 3


def test_partial_answers_are_checked_for_range_but_not_completeness():
    assert instruments.check("phq-9", {"1": 2}) == []
    assert [p.field for p in instruments.check("phq-9", {"1": 5, "13": 1})] == ["answers.1", "answers.13"]


# --- versions -------------------------------------------------------------------------------------


def test_every_definition_has_a_version_and_a_stable_code():
    codes = [d.code for d in instruments.all_current()]
    assert codes == [
        "phq-9",
        "phq-2",
        "gad-7",
        "gad-2",
        "k10",
        "k6",
        "bjmhs",
        "audit",
        "audit-c",
        "dast-10",
        "asq",
        "crafft",
        "aq-10",
        "osu-tbi-id",
        "ldsq",
        "hasi",
        "bisi",
    ]
    for definition in instruments.all_current():
        assert definition.version
        assert instruments.get(definition.code, definition.version) is definition
        result = instruments.compiled(definition.code).definition
        assert result is definition


def test_a_result_keeps_the_version_it_was_scored_with():
    result = instruments.score("crafft", crafft((0, 0, 0), {4: 0}))
    assert (result.instrument, result.version, result.profile) == ("crafft", "2.1", "standard")
    with pytest.raises(instruments.UnknownInstrument):
        instruments.get("crafft", "2.0")


# --- age ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "offered", "not_offered"),
    [
        (10, {"asq", "osu-tbi-id"}, {"phq-9", "crafft", "audit", "aq-10", "hasi"}),
        (12, {"phq-9", "gad-7", "asq", "crafft"}, {"audit", "k10", "aq-10", "dast-10"}),
        (15, {"crafft", "hasi", "phq-2"}, {"aq-10", "bjmhs", "ldsq"}),
        (16, {"aq-10", "crafft"}, {"audit", "k10"}),
        (30, {"phq-9", "audit", "k10", "bjmhs", "ldsq", "bisi", "aq-10"}, {"crafft"}),
        (None, {"crafft", "audit", "asq"}, set()),
    ],
)
def test_instruments_offered_by_age(age, offered, not_offered):
    codes = {d.code for d in instruments.for_age(age)}
    assert offered <= codes
    assert not (not_offered & codes)
