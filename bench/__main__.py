"""Run the benchmarks: `python -m bench [NAME ...] [--quick]`.

Each bench module exposes `async def main(args) -> dict` and prints its own table; every
figure is reported next to a baseline measured in the same run, because this machine is
shared and absolute numbers drift.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import sys
import time
from pathlib import Path

BENCHES = ("loop", "gateway", "guards", "handoff", "postgres", "knowledge")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", default=list(BENCHES), help=f"some of {', '.join(BENCHES)}")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--profile", type=Path, help="peers: py-spy every Switchboard service in one more round of (b)")
    parser.add_argument("--out", type=Path, default=Path("var/bench.json"), help="where to write all results")
    args = parser.parse_args()
    results: dict[str, object] = {}
    for name in args.names:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            print(f"[bench] {name}: not available ({exc})", file=sys.stderr)
            continue
        print(f"\n=== bench {name} ===", flush=True)
        started = time.monotonic()
        results[name] = asyncio.run(module.main(args))
        print(f"[bench] {name} took {time.monotonic() - started:.1f}s", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nresults written to {args.out}")


if __name__ == "__main__":
    main()
