"""`forgeloc train fit|validate|test --config configs/NAME.yaml`: Lightning's own CLI over our modules.

Models are chosen in the YAML (`model.class_path` SegmentationModule or ClassifierModule and its
`init_args.model` registry name), data likewise (`data.class_path` ForgeryDataModule over a mask-gen
folder, or SelfBlendDataModule over face photos); the data module learns the input normalisation from
the model's name.
CSVLogger is the default logger; checkpoints, early stopping and precision/strategy come from the YAML.
"""

from __future__ import annotations

import argparse
import contextlib
import warnings
from collections.abc import Iterator

import pytorch_lightning as pl
from jsonargparse import ArgumentError
from pytorch_lightning.cli import LightningCLI

from localize.common.errors import ConfigError, ForgelocError
from train.modules import _ForgeryModule


class ForgelocCLI(LightningCLI):
    def add_arguments_to_parser(self, parser) -> None:
        parser.link_arguments("model.init_args.model", "data.init_args.model")

    def parse_arguments(self, parser, args) -> None:
        """As LightningCLI's, without its warning that both `args` and sys.argv are given: forgeloc always
        passes the arguments explicitly, and sys.argv then holds `forgeloc train ...` (or pytest's)."""
        subparsers = getattr(parser, "_subcommands_action", None)
        for each in [parser, *(subparsers._name_parser_map.values() if subparsers else [])]:
            each.exit_on_error = False  # errors come back to us, not as a usage screen and an exit
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="LightningCLI's args parameter")
                super().parse_arguments(parser, args)
        except ArgumentError as error:
            configs = [args[i + 1] for i, arg in enumerate(args[:-1]) if arg in ("--config", "-c")]
            raise ConfigError(f"{' + '.join(configs) or 'arguments'}: {one_line(str(error))}") from None


def one_line(message: str) -> str:
    """jsonargparse's multi-line error as one line: the path to the failing option and what is wrong with
    it, without the list of union types tried or the value it was given."""
    noise = (
        "Does not validate against",
        "Subtypes:",
        "Errors:",
        "Given value",
        "- Expected a <class 'NoneType'>",
    )
    lines = (line.strip() for line in message.splitlines())
    return " ".join(line.removeprefix("- ") for line in lines if line and not line.startswith(noise))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("lightning", nargs=argparse.REMAINDER, help="fit|validate|test --config FILE [...]")


def run(args: argparse.Namespace) -> int:
    with _one_line_errors():
        _cli(args.lightning or ["--help"])
    return 0


def fit(args: list[str]) -> pl.Trainer:
    """Train as `forgeloc train fit ARGS` does, from Python (LightningCLI with run=False): the ARGS are
    LightningCLI's (`--config FILE`, `--data.init_args.data_dir DIR`, ...). Returns the fitted trainer
    (`trainer.checkpoint_callback.last_model_path`, `trainer.logged_metrics`)."""
    with _one_line_errors():
        cli = _cli(args, run=False)
        cli.trainer.fit(cli.model, datamodule=cli.datamodule)
    return cli.trainer


@contextlib.contextmanager
def _one_line_errors() -> Iterator[None]:
    """Re-raise the ForgelocError behind LightningCLI's and jsonargparse's wrapping, so the command line
    prints one clear line instead of a traceback."""
    try:
        yield
    except Exception as error:
        cause = _forgeloc_cause(error)
        if cause is None or cause is error:
            raise
        raise cause from None


def _forgeloc_cause(error: BaseException | None) -> ForgelocError | None:
    """The ForgelocError behind an exception that LightningCLI/jsonargparse wrapped, if any."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, ForgelocError):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _cli(args: list[str], run: bool = True) -> ForgelocCLI:
    return ForgelocCLI(
        _ForgeryModule,
        pl.LightningDataModule,
        subclass_mode_model=True,
        subclass_mode_data=True,
        seed_everything_default=0,
        trainer_defaults={
            "logger": {"class_path": "pytorch_lightning.loggers.CSVLogger", "init_args": {"save_dir": "runs"}}
        },
        save_config_kwargs={"overwrite": True},
        args=args,
        run=run,
    )
