"""``python -m bench [names...] [options]``: run every benchmark, or the named ones, in turn.

Each benchmark's options are accepted here too (``python -m bench outbox_throughput --events
5000``); ``python -m bench.<name> --help`` lists one benchmark's own.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType

from bench import BENCHMARKS


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"bench.{name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="LGNet benchmarks (they print their figures)."
    )
    parser.add_argument(
        "names", nargs="*", metavar="name", help=f"benchmarks to run (default: all): {BENCHMARKS}"
    )
    modules = {name: _module(name) for name in BENCHMARKS}
    for module in modules.values():
        module.add_arguments(parser)
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in modules]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {BENCHMARKS}")
    failed = []
    for name in args.names or BENCHMARKS:
        print(f"\n### {name}", flush=True)
        if modules[name].run(args) != 0:
            failed.append(name)
    if failed:
        print(f"\nnot completed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
