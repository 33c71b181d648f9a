"""Switchboard CLI: `python -m services run [SERVICE ...]`, `list`, `docs`, `migrate`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from services.registry import SERVICES
from services.runner import exec_single, is_built, run, run_log_level
from shared.logging import setup_logging
from shared.settings import get_settings


def parse_replicas(values: list[str]) -> dict[str, int]:
    replicas: dict[str, int] = {}
    for value in values:
        name, _, count = value.partition("=")
        if not count.isdigit():
            raise SystemExit(f"Expected --replicas NAME=COUNT, got {value!r}")
        replicas[name] = int(count)
    return replicas


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="start NATS (unless NATS_URL) and services")
    run_p.add_argument("services", nargs="*", help=f"some of {', '.join(SERVICES)}; default all")
    run_p.add_argument("--replicas", action="append", default=[], metavar="NAME=N")
    run_p.add_argument(
        "-v", "--verbose", action="store_true", help="every log line (readiness polls, migrations, access logs)"
    )
    sub.add_parser("list", help="list services")
    sub.add_parser("docs", help="regenerate docs/asyncapi and docs/openapi documents")
    sub.add_parser("migrate", help="wait for the database and run `alembic upgrade head`")
    args = parser.parse_args(argv)

    settings = get_settings()
    verbose = getattr(args, "verbose", False)
    log_level = run_log_level(settings, verbose) if args.command == "run" else settings.log_level
    setup_logging(log_level, "runner", verbose=verbose)
    if args.command == "list":
        for spec in SERVICES.values():
            print(f"{spec.name:22} {'built' if is_built(spec) else 'missing':8} {spec.description}")
    elif args.command == "docs":
        from services.docs import write_docs

        for path in write_docs():
            print(f"wrote {path}")
    elif args.command == "migrate":
        from services.prestart import prepare

        asyncio.run(prepare(settings))
    elif args.command == "run":
        replicas = parse_replicas(args.replicas)
        unknown = [n for n in args.services if n not in SERVICES]
        if unknown:
            raise SystemExit(f"Unknown service(s) {unknown}; expected some of {sorted(SERVICES)}")
        if len(args.services) == 1 and settings.nats_url and not replicas:
            exec_single(SERVICES[args.services[0]], settings)
        try:
            asyncio.run(run(args.services, replicas, settings, log_level=log_level))
        except KeyboardInterrupt:
            sys.exit(130)


if __name__ == "__main__":
    main()
