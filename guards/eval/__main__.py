"""`python -m guards.eval [build] [--method grounding|llm-judge] [--errors]`: precision, recall, F1 per guard."""

from __future__ import annotations

import argparse
import asyncio

from guards.eval.datasets import (
    HALLUCINATION_FILE,
    HELDOUT_HALLUCINATION_FILE,
    HELDOUT_MONITOR_FILE,
    MONITOR_FILE,
    build,
    load_hallucination,
    load_monitor,
)
from guards.eval.runs import flagged_by_kind, hallucination_scores, monitor_scores, run_hallucination, run_monitor
from guards.grounding import GroundingMethod
from guards.methods import make_method
from shared.settings import get_settings


async def evaluate(method_name: str, show_errors: bool, heldout: bool) -> None:
    method = GroundingMethod() if method_name == "grounding" else make_method(get_settings())
    cases = load_hallucination(HELDOUT_HALLUCINATION_FILE if heldout else HALLUCINATION_FILE)
    print(f"== {'held-out set (never tuned on)' if heldout else 'development set'} ==")
    results = await run_hallucination(cases, method)
    grounded = sum(c.grounded for c in cases)
    ungrounded = len(cases) - grounded
    print(f"Hallucination guard ({method.name}) on {len(cases)} answers: {grounded} grounded, {ungrounded} not")
    print(hallucination_scores(results).row("ungrounded answer"))
    for kind, (flagged, total) in flagged_by_kind(results).items():
        grounded_kind = next(r.case.grounded for r in results if r.case.kind == kind)
        what = "wrongly flagged" if grounded_kind else "caught"
        print(f"  {kind:<14} {what} {flagged}/{total}")
    caught = [r for r in results if not r.case.grounded and r.predicted_ungrounded]
    if caught:
        print(f"  flagged the wrong sentence itself in {sum(r.right_sentence for r in caught)}/{len(caught)} catches")
    monitor = run_monitor(load_monitor(HELDOUT_MONITOR_FILE if heldout else MONITOR_FILE))
    print(f"\nSentiment monitor on {len(monitor)} visitor messages")
    for name, s in monitor_scores(monitor).items():
        print(s.row(name))
    if show_errors:
        print("\nErrors:")
        for r in results:
            if r.predicted_ungrounded != (not r.case.grounded):
                print(f"  [{r.case.id} {r.case.kind}] {r.case.answer!r} -> {r.flagged}")
        for case, got in monitor:
            if got != set(case.labels):
                print(f"  [{case.id}] {case.text!r} expected {sorted(case.labels)} got {sorted(got)}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m guards.eval", description=__doc__)
    parser.add_argument("command", nargs="?", choices=["run", "build"], default="run")
    parser.add_argument("--method", choices=["grounding", "configured"], default="grounding",
                        help="'configured' uses the LLM judge when LLM_BASE_URL and LLM_MODEL are set")  # fmt: skip
    parser.add_argument("--errors", action="store_true", help="list every misclassified case")
    parser.add_argument("--heldout", action="store_true", help="score the held-out sets instead")
    args = parser.parse_args()
    if args.command == "build":
        build()
        print("wrote guards/eval/data/hallucination.jsonl and monitor.jsonl")
        return
    asyncio.run(evaluate(args.method, args.errors, args.heldout))


if __name__ == "__main__":
    main()
