"""The `reviewflow` command line. Each subcommand is a thin wrapper over a library function."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reviewflow", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check-export",
        help="read database exports as the search stage will (before dropping them into a "
        "window folder): format, database, record count, or every problem found",
    )
    check.add_argument("files", nargs="+", help="export files (RIS, WoS, CSV, MEDLINE, ...)")
    check.add_argument("--config", default="config/config.yaml", help="for the CSV alias table")
    check.set_defaults(func=check_export)
    return parser


def check_export(args: argparse.Namespace) -> int:
    from reviewflow.windows import describe_exports

    text, ok = describe_exports(args.files, args.config)
    print(text)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
