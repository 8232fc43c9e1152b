"""How many scorings a second the pure instrument engine does in one process (target: 50,000).

    make bench            or    .venv/bin/python bench/scoring.py [--seconds 3]

Scores a realistic mix of complete answer sets (every instrument, every profile, including the
special rules' paths) round-robin, and prints scorings per second overall and per instrument.
No Django is loaded: scoring is pure Python.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from liaison.screening import instruments  # noqa: E402 - after the path is set for a plain checkout

TARGET = 50_000


def sample_answers(rng: random.Random, code: str, profile: str) -> dict[str, int]:
    """A complete, valid answer set: every item answered with one of its published values."""
    scorer = instruments.compiled(code, profile)
    answers: dict[str, int] = {}
    for item in scorer.definition.items:
        if item.key in scorer.choice:
            answers[item.key] = rng.choice(sorted(scorer.choice[item.key]))
        else:
            low, high = scorer.integer[item.key]
            answers[item.key] = rng.randint(low, high if high is not None else low + 50)
    # CRAFFT, ASQ and OSU TBI-ID ask some items only after an earlier answer: make them asked.
    for _key, gates, _ in scorer.gated:
        answers.setdefault(gates[0], 1)
        if gates[0] in scorer.choice and answers[gates[0]] == 0:
            answers[gates[0]] = max(scorer.choice[gates[0]])
        elif answers[gates[0]] == 0:
            answers[gates[0]] = 1
    return answers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="how long to run each measurement")
    args = parser.parse_args()
    rng = random.Random(2026)  # noqa: S311 - reproducible test data, not security
    cases = []
    for definition in instruments.all_current():
        for profile in definition.profiles:
            for _ in range(20):
                answers = sample_answers(rng, definition.code, profile.code)
                instruments.score(definition.code, answers, profile.code)  # valid, or fail loudly here
                cases.append((definition.code, profile.code, answers))
    rng.shuffle(cases)

    score = instruments.score
    done = 0
    started = time.perf_counter()
    deadline = started + args.seconds
    while time.perf_counter() < deadline:
        for code, profile, answers in cases:
            score(code, answers, profile)
        done += len(cases)
    elapsed = time.perf_counter() - started
    rate = done / elapsed
    print(
        f"instruments.score: {rate:,.0f} scorings/second "
        f"({done:,} in {elapsed:.2f}s, {len(cases)} answer sets)"
    )

    per_instrument = []
    for definition in instruments.all_current():
        mine = [c for c in cases if c[0] == definition.code]
        count = 0
        start = time.perf_counter()
        while time.perf_counter() - start < args.seconds / 10:
            for code, profile, answers in mine:
                score(code, answers, profile)
            count += len(mine)
        per_instrument.append((definition.short_title, count / (time.perf_counter() - start)))
    for title, each in per_instrument:
        print(f"  {title:<14} {each:>10,.0f} /s")
    verdict = "meets" if rate >= TARGET else "MISSES"
    print(f"{verdict} the target of {TARGET:,} scorings/second")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
