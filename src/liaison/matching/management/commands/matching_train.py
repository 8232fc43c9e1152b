"""`liaison matching-train [--people N] [--seed S]`: estimate the model's m and u probabilities from a
synthetic labelled set and write them to matching/data/model.json (or --output)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.matching.batch import build_index, candidate_pairs
from liaison.matching.engine import MODEL_PATH, Frequencies, Model
from liaison.matching.features import prepare
from liaison.matching.management.options import add_surnames_argument
from liaison.matching.synthetic import SyntheticPopulation
from liaison.matching.training import choose_threshold, estimate


class Command(BaseCommand):
    help = (
        "Estimate the matching model from a synthetic labelled set: m from the true pairs, u from random "
        "pairs, and the threshold where the worse of precision and recall is best on that set. Writes "
        "a versioned JSON file; runtime never trains."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=20000, help="synthetic people (default 20000)")
        add_surnames_argument(parser)
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--model-version",
            required=True,
            help="the new model's version, e.g. 2026-03.1 (recorded in the file)",
        )
        parser.add_argument(
            "--output", default=str(MODEL_PATH), help="where to write (default: the repo's model)"
        )
        parser.add_argument("--dry-run", action="store_true", help="estimate and print, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["people"] < 100:
            raise CommandError("--people must be at least 100 to estimate anything")
        started = time.perf_counter()
        truth = SyntheticPopulation(
            people=options["people"], seed=options["seed"], surnames=options["surnames"]
        ).build()
        data = estimate(
            truth,
            seed=options["seed"],
            version=options["model_version"],
            description={
                "people": options["people"],
                "surnames": options["surnames"],
                "command": "liaison matching-train --people " + str(options["people"]),
            },
        )
        prepared = [prepare(r.record) for r in truth.records]
        # The threshold is chosen as the model will be used: exact values weighed by their frequency.
        model = Model(data).with_frequencies(Frequencies.count(prepared))
        true_pairs = truth.true_pairs()
        weights = [
            (model.match_weight(prepared[i], prepared[j]), (i, j) in true_pairs)
            for i, j in candidate_pairs(build_index(prepared))
        ]
        threshold, stats = choose_threshold(
            weights, true_total=len(true_pairs), model=model, population=len(prepared)
        )
        data["threshold"] = threshold
        data["trained"]["threshold_chosen_for"] = (
            "the best of the worse of precision and recall on the training set"
        )
        data["trained"]["training_set"] = {k: round(v, 4) for k, v in stats.items()}
        for name, comparison in data["comparisons"].items():
            self.stdout.write(
                f"  {name}: "
                + ", ".join(f"{level['code']} {level['weight']:+.2f}" for level in comparison["levels"])
            )
        self.stdout.write(
            f"Threshold {threshold}: precision {stats['precision']:.4f}, recall {stats['recall']:.4f}, "
            f"F1 {stats['f1']:.4f} on the training set ({time.perf_counter() - started:.1f}s)."
        )
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing written.")
            return
        Path(options["output"]).write_text(
            json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8"
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote model {data['version']} to {options['output']}."))
