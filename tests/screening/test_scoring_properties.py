"""Properties of every instrument under every profile, with hypothesis generating the answers:

- any complete, valid set of answers scores, with the total inside the instrument's range and a band
  whenever the profile has bands;
- adding a symptom (moving one answer to an option that scores more, so "No" on DAST-10 item 3)
  never lowers the total, never turns a positive screen negative, and never removes a suicide-risk flag;
- any value that is not one of an item's published values is refused, naming that item;
- partial answers (a draft) are never refused for being incomplete.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from liaison.screening import instruments
from liaison.screening.instruments import ScoringError
from liaison.screening.instruments.engine import Compiled

SCORERS = [instruments.compiled(d.code, p.code) for d in instruments.all_current() for p in d.profiles]
IDS = [f"{c.definition.code}:{c.profile.code}" for c in SCORERS]


def _options(c: Compiled, key: str) -> dict[int, int]:
    return c.choice.get(key, {})


def _fill(c: Compiled, answers: dict[str, int]) -> dict[str, int]:
    """Make a form complete the way a practitioner would: anything now asked gets its lowest answer."""
    answers = dict(answers)
    for _ in range(3):  # gates can open gates (OSU: a probe opens item 6, which opens items 8 and 9)
        for key, gates, required in c.gated:
            asked = any(answers.get(g, 0) != 0 for g in gates)
            if asked and required and key not in answers:
                answers[key] = c.lowest[key]
        for key, after, lowest in c.skippable:
            if key not in answers and answers.get(after) != lowest:
                answers[key] = c.lowest[key]
    return answers


@st.composite
def complete_answers(draw: Any, c: Compiled) -> dict[str, int]:
    answers: dict[str, int] = {}
    for item in c.definition.items:
        options = _options(c, item.key)
        if options:
            answers[item.key] = draw(st.sampled_from(sorted(options)))
        else:
            low, high = c.integer[item.key]
            answers[item.key] = draw(st.integers(low, high if high is not None else low + 500))
    # Leave out what a real form would leave out, some of the time.
    for key, gates, _required in c.gated:
        if not any(answers.get(g, 0) != 0 for g in gates) and draw(st.booleans()):
            answers.pop(key)
    for key, after, lowest in c.skippable:
        if answers.get(after) == lowest and draw(st.booleans()):
            answers.pop(key)
    for item in c.definition.items:
        if not item.required and draw(st.booleans()):
            answers.pop(item.key, None)
    return answers


@pytest.mark.parametrize("scorer", SCORERS, ids=IDS)
@given(data=st.data())
def test_complete_answers_score_within_range(scorer, data):
    answers = data.draw(complete_answers(scorer))
    result = scorer.score(answers)
    if result.total is not None:
        assert scorer.total_min <= result.total <= scorer.total_max
        if scorer.profile.bands:
            assert result.band is not None
    if scorer.definition.rule != "sum":
        assert result.total is None and result.band is not None
    assert result.version == scorer.definition.version
    assert result.profile == scorer.profile.code


@pytest.mark.parametrize("scorer", SCORERS, ids=IDS)
@given(data=st.data())
def test_adding_a_symptom_never_lowers_the_total(scorer, data):
    answers = data.draw(complete_answers(scorer))
    before = scorer.score(answers)
    choices = [k for k in answers if k in scorer.choice]
    key = data.draw(st.sampled_from(choices))
    points = _options(scorer, key)
    worse = [value for value, p in points.items() if p > points[answers[key]]]
    assume(worse)
    changed = _fill(scorer, answers | {key: data.draw(st.sampled_from(sorted(worse)))})
    after = scorer.score(changed)
    if before.total is not None:
        assert after.total is not None and after.total >= before.total
    if before.positive:
        assert after.positive
    if "suicide_risk" in before.flags:
        assert "suicide_risk" in after.flags


@pytest.mark.parametrize("scorer", SCORERS, ids=IDS)
@given(data=st.data())
def test_a_value_outside_the_published_ones_is_refused_naming_the_item(scorer, data):
    answers = data.draw(complete_answers(scorer))
    key = data.draw(st.sampled_from(sorted(answers)))
    if key in scorer.choice:
        bad = data.draw(st.integers(-5, 20).filter(lambda v: v not in scorer.choice[key]))
    else:
        low, high = scorer.integer[key]
        bad = data.draw(st.sampled_from([low - 1] + ([high + 1] if high is not None else [])))
    with pytest.raises(ScoringError) as caught:
        scorer.score(answers | {key: bad})
    assert f"answers.{key}" in {p.field for p in caught.value.problems}


@pytest.mark.parametrize("scorer", SCORERS, ids=IDS)
@given(data=st.data())
def test_partial_answers_are_never_refused_for_being_incomplete(scorer, data):
    answers = data.draw(complete_answers(scorer))
    keep = data.draw(st.sets(st.sampled_from(sorted(answers))))
    partial = {k: v for k, v in answers.items() if k in keep}
    assert instruments.check(scorer.definition.code, partial, scorer.profile.code) == []
