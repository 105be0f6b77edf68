"""The `forgeloc` command line. Subcommands are imported only when run, so `forgeloc --help` is fast.

Exit codes: 0 success, 1 some inputs failed (they are listed), 2 bad usage.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from localize import __version__
from localize.errors import ConfigError, ForgelocError

# name -> (module defining add_arguments(parser) and run(args) -> int, one-line help)
COMMANDS = {
    "synth": ("mask_gen.cli_synth", "write synthetic real/fake sets with exact masks in the public layouts"),
    "mask-gen": ("mask_gen.cli_mask_gen", "build a training set (face crops + masks) from real/fake pairs"),
    "train": ("train.cli", "train a model with Lightning: forgeloc train fit --config configs/NAME.yaml"),
    "export": ("train.export", "export a training checkpoint as a model bundle (safetensors + json)"),
    "thresholds": (
        "eval.cli_thresholds",
        "search the frame rule's thresholds on a split; store them in the bundle",
    ),
    "eval": (
        "eval.cli_eval",
        "Dice/F1/AUC tables of models on datasets, robustness, attacks, cross-dataset (md, html, json)",
    ),
    "inspect": ("localize.cli_inspect", "find manipulated regions in images and videos; write a report"),
    "demo": ("mask_gen.cli_demo", "show the pipeline end to end on synthetic data"),
}


def _top_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="forgeloc", description="Localize manipulated regions in face images and videos."
    )
    parser.add_argument("--version", action="version", version=f"forgeloc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, summary) in COMMANDS.items():
        sub.add_parser(name, help=summary, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        parser = _top_parser()
        if not argv:
            parser.print_help()
            return 2
        try:
            parser.parse_args(argv)  # prints --help/--version, or a usage error
        except SystemExit as done:
            return int(done.code or 0)
        return 2
    module_name, summary = COMMANDS[argv[0]]
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog=f"forgeloc {argv[0]}", description=summary)
    module.add_arguments(parser)
    try:
        args = parser.parse_args(argv[1:])
    except SystemExit as done:
        return int(done.code or 0)
    try:
        return module.run(args)
    except ConfigError as error:
        print(f"forgeloc {argv[0]}: error: {error}", file=sys.stderr)
        return 2
    except ForgelocError as error:
        print(f"forgeloc {argv[0]}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: finished work is kept; run the same command again to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
