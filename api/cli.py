"""The ``huiqi`` command: thin argument parsing over the same functions the API calls.

Each sub-command lives in its own module with a ``register(subparsers)`` function.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence

from api import (
    cli_ask,
    cli_batch,
    cli_check,
    cli_db,
    cli_mapping,
    cli_registry,
    cli_rules,
    cli_serve,
    cli_synth,
    cli_users,
)

COMMANDS = (cli_check, cli_ask, cli_rules, cli_serve, cli_batch, cli_synth, cli_mapping, cli_registry, cli_users,
            cli_db)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="huiqi", description="惠企：中小微企业惠企政策资格规则引擎")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="命令")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.handler(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the try, rather than at interpreter exit
        return code
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_gone()


def _reader_gone() -> int:
    """The reader of our output left early (``huiqi check p.json | head``): not an error, and no traceback.

    Python's advice: point stdout at /dev/null so the final flush at exit does not fail again.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + signal.SIGPIPE  # what a shell reports for a command stopped by a closed pipe


if __name__ == "__main__":
    raise SystemExit(main())
