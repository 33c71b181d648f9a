"""`python -m guards.eval [build] [--method grounding|llm-judge] [--errors]`: precision, recall, F1 per guard.

`python -m guards.eval score --hallucination FILE.jsonl --monitor FILE.jsonl [--json]` scores any
labeled file the way the services decide (see guards/eval/score.py for the row formats).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

from openai import AsyncOpenAI

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
from guards.eval.score import BadRow, Report, load_answers, load_messages, score_answers, score_messages, table
from guards.grounding import GroundingMethod
from guards.judge import LlmJudgeMethod
from guards.methods import make_method
from guards.verdict import GuardMethod
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


def _judge(args: argparse.Namespace) -> GuardMethod:
    url = args.judge_url or os.environ.get("LLM_BASE_URL")
    model = args.judge_model or os.environ.get("LLM_MODEL")
    if not (url and model):
        raise SystemExit("--method llm-judge needs --judge-url and --judge-model (or LLM_BASE_URL and LLM_MODEL)")
    client = AsyncOpenAI(base_url=url, api_key=os.environ.get("LLM_API_KEY") or "unused")
    return LlmJudgeMethod(client, model, every_sentence=args.every_sentence)


async def score_files(args: argparse.Namespace) -> dict[str, Report]:
    method = _judge(args) if args.method == "llm-judge" else GroundingMethod()
    reports: dict[str, Report] = {}
    for path in args.hallucination or []:
        reports[f"hallucination {Path(path).name} ({method.name})"] = await score_answers(
            load_answers(Path(path)), method
        )
    for path in args.monitor or []:
        reports[f"monitor {Path(path).name} (handoff)"] = await score_messages(load_messages(Path(path)))
    return reports


def score_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m guards.eval score", description=__doc__)
    parser.add_argument("--hallucination", action="append", metavar="FILE.jsonl",
                        help="labeled answers: {sources, question, answer, label}; repeatable")  # fmt: skip
    parser.add_argument("--monitor", action="append", metavar="FILE.jsonl",
                        help="labeled visitor messages: {history, message, escalate}; repeatable")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--errors", action="store_true", help="list every misclassified row")
    parser.add_argument("--method", choices=["grounding", "llm-judge"], default="grounding")
    parser.add_argument("--judge-url", help="OpenAI-compatible base URL (default $LLM_BASE_URL)")
    parser.add_argument("--judge-model", help="model name (default $LLM_MODEL); key from $LLM_API_KEY")
    parser.add_argument("--every-sentence", action="store_true",
                        help="ask the judge about every sentence (default: what the offline check doubts)")  # fmt: skip
    args = parser.parse_args(argv)
    if not (args.hallucination or args.monitor):
        parser.error("give --hallucination FILE and/or --monitor FILE")
    try:
        reports = asyncio.run(score_files(args))
    except (BadRow, OSError) as exc:
        raise SystemExit(f"error: {exc}") from exc
    if args.json:
        print(json.dumps({name: r.as_dict() | ({"errors": r.errors} if args.errors else {})
                          for name, r in reports.items()}, indent=2, ensure_ascii=False))  # fmt: skip
        return
    for name, report in reports.items():
        print(table(name, report))
        if args.errors:
            for error in report.errors:
                print("  " + error)


def main() -> None:
    if sys.argv[1:2] == ["score"]:
        score_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(prog="python -m guards.eval", description=__doc__)
    parser.add_argument("command", nargs="?", choices=["run", "build", "score"], default="run")
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
