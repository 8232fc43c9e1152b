"""matching-eval on a small synthetic set: precision and recall at the default threshold."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command

from liaison.matching.engine import default_model
from liaison.matching.evaluation import evaluate
from liaison.matching.synthetic import SyntheticPopulation


def test_precision_and_recall_reach_098_at_the_default_threshold():
    truth = SyntheticPopulation(people=3000, seed=11).build()
    result = evaluate(truth, default_model(), intake_queries=100)
    assert result.threshold == default_model().threshold
    assert result.result["precision"] >= 0.98, result.result
    assert result.result["recall"] >= 0.98, result.result
    assert result.true_pairs > 400  # enough true pairs for the figures to mean something
    assert result.intake["top_candidate_correct"] >= 0.98


def test_the_ground_truth_holds_realistic_corruption_and_look_alikes():
    truth = SyntheticPopulation(people=3000, seed=11).build()
    seen = {what for r in truth.records for what in r.corruption}
    assert {
        "nickname",
        "given typo",
        "family typo",
        "dob swapped",
        "dob typo",
        "no nhs number",
        "moved",
    } <= seen
    by_entity: dict[int, int] = {}
    for r in truth.records:
        by_entity[r.entity] = by_entity.get(r.entity, 0) + 1
    assert len(by_entity) > 3000  # the look-alikes are people of their own


def test_matching_eval_command_reports_the_figures():
    out = StringIO()
    call_command("matching_eval", "--people", "1500", "--seed", "3", "--queries", "50", stdout=out)
    text = out.getvalue()
    precision = float(re.search(r"precision (\d\.\d+)", text).group(1))
    recall = float(re.search(r"recall (\d\.\d+)", text).group(1))
    assert precision >= 0.97 and recall >= 0.97, text
    assert "pairs/s" in text and "candidates/s" in text


def test_the_batch_in_two_processes_finds_exactly_what_one_finds(monkeypatch):
    from liaison.matching import batch
    from liaison.matching.engine import default_model
    from liaison.matching.features import prepare
    from liaison.matching.synthetic import SyntheticPopulation

    truth = SyntheticPopulation(people=1500, seed=5).build()
    prepared = [prepare(r.record) for r in truth.records]
    model = default_model()
    cut = model.threshold_weight(len(prepared), model.threshold)
    monkeypatch.setattr(batch, "SLICE", 200)  # several slices, so the work is really split
    one = batch.find_matches(prepared, model, min_weight=cut, workers=1)
    two = batch.find_matches(prepared, model, min_weight=cut, workers=2)
    assert one.compared == two.compared > 0
    assert [(p.i, p.j, p.weight) for p in one.pairs] == [(p.i, p.j, p.weight) for p in two.pairs]
    assert len(one.pairs) > 100
