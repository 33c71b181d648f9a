"""Figures of the peers bench: per-scenario summaries, the console table and docs/performance.md."""

from __future__ import annotations

import math
import statistics
from typing import Any

from bench.stats import percentile, table

PEERS = ("chatkit", "switchboard")


def _median(values: list[float]) -> float:
    clean = [v for v in values if not math.isnan(v)]
    return statistics.median(clean) if clean else float("nan")


def _ms(values_s: list[float], q: float) -> float:
    return percentile([v * 1000 for v in values_s if not math.isnan(v)], q)


def peer_summary(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    per_round = [
        {
            "replies_per_s": r["replies"] / r["elapsed_s"] if r["elapsed_s"] else float("nan"),
            "ttft_p50_ms": _ms(r["ttft_s"], 50),
            "ttft_p99_ms": _ms(r["ttft_s"], 99),
            "whole_p50_ms": _ms(r["whole_s"], 50),
            "whole_p99_ms": _ms(r["whole_s"], 99),
            "errors": r["errors"],
        }
        for r in rounds
    ]
    replies = sum(r["replies"] for r in rounds)
    cpu: dict[str, float] = {}
    for r in rounds:
        for label, seconds in r["cpu_s"].items():
            cpu[label] = cpu.get(label, 0.0) + seconds
    per_turn = {label: 1000 * s / replies if replies else float("nan") for label, s in sorted(cpu.items())}
    context: dict[str, float] = {}
    for r in rounds:
        for label, seconds in r.get("context_cpu_s", {}).items():
            context[label] = context.get(label, 0.0) + seconds
    return {
        "rounds": per_round,
        **{key: _median([r[key] for r in per_round]) for key in per_round[0] if key != "errors"},
        "errors": sum(r["errors"] for r in rounds),
        "wrong_replies": sum(r["wrong_replies"] for r in rounds),
        "flags": sum(r.get("flags", 0) for r in rounds),
        "deltas_per_reply": sorted({d for r in rounds for d in r["deltas"]}),
        "failures": [f for r in rounds for f in r["failures"]][:3],
        "failed_visitors": sum(r.get("failed_visitors", 0) for r in rounds),
        "replies": replies,
        "cpu_ms_per_turn": per_turn,
        "cpu_ms_per_turn_total": sum(v for v in per_turn.values() if not math.isnan(v)),
        "context_ms_per_turn": {k: 1000 * v / replies if replies else float("nan") for k, v in context.items()},
    }


def scenario_summary(title: str, rounds: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    peers = {name: peer_summary(r) for name, r in rounds.items()}
    sb, ck = peers["switchboard"], peers["chatkit"]
    keys = ("ttft_p50_ms", "ttft_p99_ms", "whole_p50_ms", "replies_per_s", "cpu_ms_per_turn_total")
    return {"title": title, **peers, "ratio": {k: _ratio(sb[k], ck[k]) for k in keys}}


def _ratio(a: float, b: float) -> float:
    return a / b if b and not math.isnan(a) and not math.isnan(b) else float("nan")


def _f(value: float, digits: int = 1) -> str:
    return "-" if isinstance(value, float) and math.isnan(value) else f"{value:.{digits}f}"


def _rounds(summary: dict[str, Any], key: str, digits: int = 1) -> str:
    values = [_f(r[key], digits) for r in summary["rounds"]]
    return " / ".join(values) if len(values) > 1 else values[0]


def figure_rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    """(figure, chatkit, switchboard, ratio): medians over rounds, each round in brackets."""
    rows: list[tuple[str, ...]] = []
    for key, s in results["scenarios"].items():
        ck, sb, ratio = s["chatkit"], s["switchboard"], s["ratio"]
        label = f"({key}) {s['title']}, {len(ck['rounds'])} round(s)"
        lines = [("TTFT p50 ms", "ttft_p50_ms", 1), ("whole reply p50 ms", "whole_p50_ms", 1)]
        if key != "a":
            lines = [("replies/s", "replies_per_s", 1), ("TTFT p99 ms", "ttft_p99_ms", 0), *lines]
        for name, field, digits in lines:
            rows.append(
                (
                    f"{label}: {name}",
                    f"{_f(ck[field], digits)} [{_rounds(ck, field, digits)}]",
                    f"{_f(sb[field], digits)} [{_rounds(sb, field, digits)}]",
                    f"x{_f(ratio[field], 2)}",
                )
            )
        rows.append(
            (
                f"({key}) errors / wrong replies / guard flags",
                f"{ck['errors']} / {ck['wrong_replies']} / -",
                f"{sb['errors']} / {sb['wrong_replies']} / {sb['flags']}",
                "",
            )
        )
        rows.append(
            (
                f"({key}) CPU ms per turn, all processes",
                _f(ck["cpu_ms_per_turn_total"]),
                _f(sb["cpu_ms_per_turn_total"]),
                f"x{_f(ratio['cpu_ms_per_turn_total'], 1)}",
            )
        )
    return rows


def cpu_rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    """(d): CPU ms per turn of each process, one column per scenario."""
    keys = list(results["scenarios"])
    rows: list[tuple[str, ...]] = [("process", *(f"({k}) ms/turn" for k in keys))]
    for peer in PEERS:
        labels = sorted({label for k in keys for label in results["scenarios"][k][peer]["cpu_ms_per_turn"]})
        for label in labels:
            cells = [_f(results["scenarios"][k][peer]["cpu_ms_per_turn"].get(label, float("nan")), 2) for k in keys]
            rows.append((f"{peer}: {label}", *cells))
        rows.append((f"{peer}: TOTAL", *(_f(results["scenarios"][k][peer]["cpu_ms_per_turn_total"], 1) for k in keys)))
        context = sorted({label for k in keys for label in results["scenarios"][k][peer]["context_ms_per_turn"]})
        for label in context:
            cells = [_f(results["scenarios"][k][peer]["context_ms_per_turn"].get(label, float("nan")), 2) for k in keys]
            rows.append((f"({peer} rounds: {label}, not in TOTAL)", *cells))
    return rows


def profile_lines(profile: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for label, spots in sorted(profile.items()):
        lines.append(f"{label} ({spots['samples']} samples, {spots.get('waiting_pct', 0)}% waiting, left out)")
        for kind in ("own", "total"):
            for key, pct in spots[kind]:
                lines.append(f"  {kind:5} {pct:5.1f}%  {key}")
    return lines


def render(results: dict[str, Any]) -> str:
    parts = [table([("figure", "chatkit", "switchboard", "switchboard/chatkit"), *figure_rows(results)])]
    idle = results.get("idle_cpu_ms_per_s", {})
    parts.append("idle CPU ms/s: " + ", ".join(f"{k} {_f(v)}" for k, v in idle.items()))
    parts.append("\n(d) CPU per turn by process (the model server excluded)\n" + table(cpu_rows(results)))
    if "profile" in results:
        parts.append("\nProfile (py-spy, % of samples)\n" + "\n".join(profile_lines(results["profile"])))
    return "\n".join(parts)


def _md_table(rows: list[tuple[str, ...]]) -> str:
    head, *body = rows
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in body]
    return "\n".join(out)


def failure_lines(results: dict[str, Any]) -> list[str]:
    """What the failed visitors saw (a turn that never completed ends that visitor's round)."""
    lines = []
    for key, s in results["scenarios"].items():
        for peer in PEERS:
            if s[peer]["failures"]:
                count = s[peer].get("failed_visitors", "some")
                lines.append(f"- ({key}) {peer}: {count} visitor(s) failed, e.g. `{s[peer]['failures'][0]}`")
    return ["Failures:", "", *lines, ""] if lines else []


def write_markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    doc = [
        "# Performance: Switchboard next to the ChatKit server SDK",
        "",
        "Written by `python -m bench peers` (`make bench BENCH_ARGS=peers`); `--quick` for a smoke run",
        "(it does not write this file), `--profile DIR` to add the py-spy hot spots below.",
        "",
        "One process tree, one run: the official ChatKit server SDK (`openai-chatkit`, a minimal",
        "ChatKitServer over an in-memory store, `bench/chatkit_baseline.py`, under uvicorn) and",
        "Switchboard (`python -m services run`: every service, SQLite, embedded nats-server, the demo",
        "tenants with `acme` on the model) answer with the same zero-latency scripted OpenAI-compatible",
        "model (`bench/scripted_model.py`, a separate process excluded from CPU figures):",
        f"{results['reply_deltas']} deltas per reply. Switchboard's turns are answered from the passages",
        "they retrieved (as a real model would; the ChatKit peer retrieves nothing and gets a fixed text of",
        "the same length), so the guard checks grounded answers and asks its judge (the cascade) only",
        "about sentences it doubts; the judge and the workers' digest get the JSON a real model gives.",
        "Each visitor asks a different question every turn (a repeated question makes the monitor ask",
        "for a human). Every Switchboard service is on: guard, monitor, recorder, workers, handoff.",
        "Clients are matched: ChatKit = POST + SSE per turn (threads.create, then",
        "threads.add_user_message; TTFT = first assistant text delta); Switchboard = one WebSocket per",
        "visitor (session + ws; TTFT = first `message.delta`). Rounds alternate which system goes first;",
        "CPU (utime + stime from /proc of every process of the tree) is read before and after each round",
        "once the processes are quiet again, so post-reply work counts.",
        "",
        f"Machine: {m['nproc']} CPUs, {m['memory_gb']} GB, Python {m['python']}; {m['date']};"
        f" load average before the run {', '.join(f'{x:.2f}' for x in m['load_before'])}"
        f", after {', '.join(f'{x:.2f}' for x in results.get('load_after', ()))}. The machine is shared:"
        " compare the two columns of one run, not runs.",
        "",
        "Idle floor (CPU with no visitor, all processes of a system, included in the figures below):"
        f" ChatKit {_f(results['idle_cpu_ms_per_s']['chatkit'])} ms/s,"
        f" Switchboard {_f(results['idle_cpu_ms_per_s']['switchboard'])} ms/s.",
        "",
        "## Figures",
        "",
        "Medians over rounds, each round in brackets; ratio = Switchboard / ChatKit.",
        "",
        _md_table([("figure", "ChatKit SDK", "Switchboard", "ratio"), *figure_rows(results)]),
        "",
        *failure_lines(results),
        "## CPU per turn by process",
        "",
        _md_table(cpu_rows(results)),
        "",
    ]
    if "profile" in results:
        doc += [
            "## Profile",
            "",
            "py-spy (100 Hz, --nonblocking, idle threads excluded) on every Switchboard service during one",
            "more round of (b). `own` = the sampled function itself (any code); `total` = anywhere on the",
            "stack, our packages only. % of the process's working samples: samples whose leaf is a wait",
            "(epoll, a condition, an idle worker thread, aiosqlite's queue) are counted apart.",
            "",
            "```",
            *profile_lines(results["profile"]),
            "```",
            "",
        ]
    return "\n".join(doc)
