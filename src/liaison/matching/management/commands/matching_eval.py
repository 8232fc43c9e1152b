"""`liaison matching-eval [--people N] [--seed S] [--threshold P]`: precision, recall and speed of matching
on a synthetic ground truth built in memory (nothing is written to the database)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison.matching.engine import Model, default_model
from liaison.matching.evaluation import evaluate
from liaison.matching.management.options import add_surnames_argument
from liaison.matching.synthetic import SyntheticPopulation


class Command(BaseCommand):
    help = (
        "Build N synthetic people with true duplicates (typos, nicknames, swapped date parts, missing "
        "identifiers, other names, new postcodes) and look-alikes (twins, a parent and child of one name), "
        "match them all, and report precision, recall and F1 at the threshold, with the time taken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=20000, help="synthetic people (default 20000)")
        add_surnames_argument(parser)
        parser.add_argument(
            "--seed", type=int, default=2, help="random seed (default 2; the model is trained on 1)"
        )
        parser.add_argument(
            "--threshold", type=float, default=None, help="match probability (default: the model's)"
        )
        parser.add_argument(
            "--duplicate-rate",
            type=float,
            default=0.15,
            help="share of people with duplicates (default 0.15)",
        )
        parser.add_argument(
            "--lookalike-rate",
            type=float,
            default=0.005,
            help="share of people with a twin or namesake parent",
        )
        parser.add_argument(
            "--queries", type=int, default=1000, help="intake searches to time (default 1000)"
        )
        parser.add_argument(
            "--model", default=None, help="a model file to evaluate (default: the one in the repo)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["people"] < 2:
            raise CommandError("--people must be at least 2")
        threshold = options["threshold"]
        if threshold is not None and not 0 < threshold < 1:
            raise CommandError("--threshold must be a probability between 0 and 1, like 0.9")
        for rate in ("duplicate_rate", "lookalike_rate"):
            if not 0 <= options[rate] <= 1:
                raise CommandError(f"--{rate.replace('_', '-')} must be between 0 and 1")
        model = Model.load(options["model"]) if options["model"] else default_model()
        started = time.perf_counter()
        truth = SyntheticPopulation(
            people=options["people"],
            seed=options["seed"],
            duplicate_rate=options["duplicate_rate"],
            lookalike_rate=options["lookalike_rate"],
            surnames=options["surnames"],
        ).build()
        built = time.perf_counter() - started
        ev = evaluate(
            truth, model, threshold=threshold, intake_queries=options["queries"], seed=options["seed"]
        )
        r = ev.result
        out = self.stdout.write
        out(
            f"Synthetic ground truth: {options['people']:,} people, seed {options['seed']}, "
            f"{options['surnames']} last names: "
            f"{ev.records:,} records, "
            f"{ev.true_pairs:,} true duplicate pairs (built in {built:.1f}s)."
        )
        out(f"Model {model.version} ({model.digest}), threshold {ev.threshold}.")
        out(
            f"Blocking: {ev.blocked_pairs:,} pairs compared, holding {ev.blocked_true_pairs:,} of the "
            f"{ev.true_pairs:,} true pairs ({ev.blocked_true_pairs / max(ev.true_pairs, 1):.4f})."
        )
        out(
            self.style.SUCCESS(
                f"precision {r['precision']:.4f}  recall {r['recall']:.4f}  F1 {r['f1']:.4f}  "
                f"(true positives {r['tp']:,}, false positives {r['fp']:,}, missed {r['fn']:,})"
            )
        )
        s = ev.seconds
        out(
            f"Time: prepare {s['prepare']:.2f}s, block {s['block']:.2f}s, score {s['score']:.2f}s "
            f"({ev.pairs_per_second:,.0f} pairs/s); total {time.perf_counter() - started:.1f}s."
        )
        i = ev.intake
        out(
            f"Intake: {int(i['queries'])} searches for a duplicate among all "
            f"{int(i['population']):,} records: best candidate right {i['top_candidate_correct']:.4f}, "
            f"{i['candidates_per_query']:.0f} candidates "
            f"per search, {i['ms_per_query']:.2f} ms per search in memory ({i['candidates_per_second']:,.0f} "
            "candidates/s)."
        )
        out("By threshold:")
        for t, m in ev.by_threshold.items():
            out(f"  {t:<5} precision {m['precision']:.4f}  recall {m['recall']:.4f}  F1 {m['f1']:.4f}")
        if ev.missed_by_corruption:
            top = ", ".join(f"{what} {n}" for what, n in list(ev.missed_by_corruption.items())[:8])
            out(f"Missed pairs had: {top}.")
