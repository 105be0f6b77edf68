"""The `forgeloc` command line. Subcommands are imported only when run, so `forgeloc --help` is fast.

Exit codes: 0 success, 1 some inputs failed (they are listed), 2 bad usage.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from localize import __version__
from localize.common.errors import ConfigError, ForgelocError

ORDER = ("synth", "mask-gen", "train", "export", "thresholds", "eval", "inspect", "demo")


def commands() -> dict[str, tuple[str, str]]:
    """name -> (module defining add_arguments(parser) and run(args) -> int, one-line help), gathered from
    every installed package's declaration (entry-point group `forgeloc.commands`), so the core names no
    other package. Without installed metadata (a source tree on sys.path) the core's own is used."""
    from importlib.metadata import entry_points

    found: dict[str, tuple[str, str]] = {}
    for entry in entry_points(group="forgeloc.commands"):
        try:
            found.update(entry.load())
        except ImportError:
            continue  # a package that is declared but not importable contributes nothing
    if not found:
        from localize.cli.commands import COMMANDS as own

        found = dict(own)
    ordered = [name for name in ORDER if name in found] + sorted(set(found) - set(ORDER))
    return {name: found[name] for name in ordered}


def _top_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="forgeloc", description="Localize manipulated regions in face images and videos."
    )
    parser.add_argument("--version", action="version", version=f"forgeloc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, summary) in commands().items():
        sub.add_parser(name, help=summary, add_help=False)
    return parser


def _configure_logging() -> None:
    """forgeloc's library messages (progress at INFO, warnings) go to stderr as plain lines, once."""
    import logging

    for name in ("localize", "mask_gen", "train", "eval"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(message)s"))
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = sys.argv[1:] if argv is None else argv
    _configure_logging()
    known = commands()
    if not argv or argv[0] not in known:
        parser = _top_parser()
        if not argv:
            parser.print_help()
            return 2
        try:
            parser.parse_args(argv)  # prints --help/--version, or a usage error
        except SystemExit as done:
            return int(done.code or 0)
        return 2
    module_name, summary = known[argv[0]]
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
    except OSError as error:
        # the file system said no: an output folder under a file, no permission, a full disk
        where = f"{error.filename}: " if error.filename else ""
        print(f"forgeloc {argv[0]}: error: {where}{error.strerror or error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # what survives is the command's to say (ON_INTERRUPT); nothing is promised
        print(getattr(module, "ON_INTERRUPT", "interrupted"), file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
