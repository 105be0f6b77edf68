"""Cross-dataset generalisation (seed 003 trained on DFDC and tested on FF++ and DFD): every model of a
YAML config is trained on every dataset and tested on every dataset's test split, giving one matrix per
model. Training and export go through the `forgeloc` commands, as a user would run them; a run whose
bundle exists is reused, so an interrupted matrix resumes where it stopped."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import yaml

from eval.evaluate import evaluate
from eval.predict import outputs
from eval.thresholds import search, write_thresholds
from localize.common.errors import ConfigError, ForgelocError
from localize.inference.bundle import load_bundle
from mask_gen.manifest import split_rows

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrossConfig:
    """datasets: name -> mask-gen folder; models: name -> training YAML; train_args: extra
    `forgeloc train fit` arguments for every run (e.g. a step budget)."""

    datasets: dict[str, str]
    models: dict[str, str]
    train_args: tuple[str, ...] = ()


def load_cross_config(path: str | Path) -> CrossConfig:
    """The config, with every dataset and training YAML checked to exist before anything is trained."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: not a readable YAML file ({error})") from None
    if (
        not isinstance(raw, dict)
        or not isinstance(raw.get("datasets"), dict)
        or not isinstance(raw.get("models"), dict)
    ):
        raise ConfigError(
            f"{path}: needs a 'datasets' mapping (name: folder) and a 'models' mapping (name: YAML)"
        )
    unknown = set(raw) - {"datasets", "models", "train_args"}
    if unknown:
        raise ConfigError(f"{path}: unknown keys {sorted(unknown)}")
    config = CrossConfig(
        {str(k): str(v) for k, v in raw["datasets"].items()},
        {str(k): str(v) for k, v in raw["models"].items()},
        tuple(str(a) for a in raw.get("train_args") or ()),
    )
    if len(config.datasets) < 2 or not config.models:
        raise ConfigError(f"{path}: a cross-dataset run needs at least two datasets and one model")
    for name, folder in config.datasets.items():
        if not (Path(folder) / "manifest.csv").is_file():
            raise ConfigError(
                f"{path}: dataset {name}: {folder} has no manifest.csv (run `forgeloc mask-gen`)"
            )
    for name, training in config.models.items():
        if not Path(training).is_file():
            raise ConfigError(f"{path}: model {name}: training config {training} not found")
    return config


def train_bundle(model_config: str, data_dir: str, run_dir: Path, train_args: tuple[str, ...]) -> Path:
    """Train on `data_dir`, export the last checkpoint, search the thresholds on its validation split;
    the bundle's json path (reused when it already exists)."""
    from train.cli import fit
    from train.export import export_checkpoint

    bundle = run_dir / "bundle.json"
    if bundle.is_file():
        return bundle
    args = ["--config", model_config, "--data.init_args.data_dir", data_dir]
    args += ["--trainer.default_root_dir", str(run_dir), "--trainer.logger.init_args.save_dir", str(run_dir)]
    fit([*args, *train_args])
    checkpoint = max(run_dir.rglob("last.ckpt"), key=lambda p: p.stat().st_mtime, default=None)
    if checkpoint is None:
        raise ForgelocError(f"training {model_config} on {data_dir} wrote no last.ckpt under {run_dir}")
    partial = run_dir / "partial"
    export_checkpoint(checkpoint, partial)
    exported = load_bundle(partial.with_suffix(".json"))
    if exported.spec.task == "segmentation":
        rows = split_rows(data_dir, "val")
        maps = [m for m, _ in outputs(exported, data_dir, rows)]
        choice = search(maps, [r.label for r in rows], input_size=exported.preprocessing.input_size)
        write_thresholds(partial.with_suffix(".json"), choice, "val", data_dir)
    for suffix in (".safetensors", ".json"):  # the json last: its presence marks a finished run
        partial.with_suffix(suffix).replace(bundle.with_suffix(suffix))
    return bundle


def run_cross(config_path: str | Path, runs_dir: str | Path, split: str = "test") -> dict:
    """{"datasets": names, "matrices": {model: {trained on: {tested on: figures}}}, "bundles": ...}."""
    config = load_cross_config(config_path)
    matrices: dict = {}
    bundles: dict = {}
    for model, training in config.models.items():
        for train_name, train_dir in config.datasets.items():
            path = train_bundle(training, train_dir, Path(runs_dir) / model / train_name, config.train_args)
            bundles.setdefault(model, {})[train_name] = str(path)
            bundle = load_bundle(path)
            for test_name, test_dir in config.datasets.items():
                result = evaluate(bundle, test_dir, split, desc=f"{model} ({train_name}) on {test_name}")
                matrices.setdefault(model, {}).setdefault(train_name, {})[test_name] = {
                    "frame_auc": result["frame"]["roc_auc"],
                    "frame_f1": result["frame"]["f1"],
                    "dice": result["pixel"]["dice_dataset"] if "pixel" in result else None,
                }
                log.info(
                    "%s trained on %s, tested on %s: frame AUC %.3f",
                    model,
                    train_name,
                    test_name,
                    result["frame"]["roc_auc"],
                )
    return {
        "config": str(config_path),
        "datasets": list(config.datasets),
        "matrices": matrices,
        "bundles": bundles,
    }
