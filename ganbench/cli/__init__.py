"""The `ganbench` command: one sub-command module per job, each adding its own parser."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings

from ganbench import __version__
from ganbench.errors import GanbenchError

#: Modules under ganbench.cli that define `add_parser(subparsers)`; each parser sets `func(args) -> int`.
COMMAND_MODULES = (
    "list_cmd",
    "features_cmd",
    "stats_cmd",
    "score_cmd",
    "extractor_cmd",
    "leaderboard_cmd",
    "plot_cmd",
    "report_cmd",
    "train_cmd",
    "run_cmd",
    "suite_cmd",
    "probe_metrics_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every sub-command."""
    parser = argparse.ArgumentParser(prog="ganbench", description="Train, score and compare GANs under one protocol.")
    parser.add_argument("--version", action="version", version=f"ganbench {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(f"ganbench.cli.{module_name}").add_parser(subparsers)
    for name, sub in subparsers.choices.items():  # `ganbench CMD --help` says what CMD does, not only its usage
        if not sub.description:
            help_text = next(action.help for action in subparsers._choices_actions if action.dest == name)
            help_text = help_text.replace("%%", "%")  # a help is %-formatted by argparse, a description is not
            sub.description = help_text[:1].upper() + help_text[1:] + "."
    return parser


def show_warning_one_line(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as `ganbench: warning: ...` on stderr, without the source line Python would print."""
    print(f"ganbench: warning: {message}", file=sys.stderr if file is None else file)


def main(argv: list[str] | None = None) -> int:
    """Entry point: user errors become one line on stderr and exit code 2, never a traceback."""
    warnings.showwarning = show_warning_one_line
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        from ganbench.cli.known_names import check_arguments

        check_arguments(args)  # a mistyped name is one sentence before any heavy import
        return int(args.func(args) or 0)
    except GanbenchError as error:
        print(f"ganbench: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ganbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:  # the last net under every file access: one sentence with the path, no traceback
        where = f" {error.filename}" if error.filename else ""
        print(
            f"ganbench: error: cannot access{where} ({error.strerror or error}); check the path, its permissions and "
            "the free space",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
