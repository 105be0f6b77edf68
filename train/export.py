"""`forgeloc export CKPT --out DIR/NAME`: a Lightning checkpoint -> model bundle (safetensors + json).

The checkpoint is read with torch.load(weights_only=True): tensors and plain containers only. A bundle
(NAME.json) is accepted too and copied, to add an ONNX model to it (`--onnx`, `--int8 DATASET`).
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import torch

from localize.common.atomic import write_text_atomic
from localize.common.errors import BundleError, ConfigError, DatasetError, ForgelocError
from localize.inference.bundle import bundle_paths, load_bundle, save_bundle, update_meta
from localize.inference.preprocess import Preprocessing
from localize.models import build_model
from localize.models.zoo import CLASS_HEAD, load_failure


def read_checkpoint(path: str | Path) -> dict:
    """A Lightning checkpoint's dict, without unpickling arbitrary objects."""
    path = Path(path)
    if not path.is_file():
        raise BundleError("checkpoint not found", path)
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch's unpickler raises KeyError, ValueError... on text or noise
        raise BundleError(f"not a readable checkpoint ({load_failure(error)})", path) from None
    if (
        not isinstance(checkpoint, dict)
        or "state_dict" not in checkpoint
        or "hyper_parameters" not in checkpoint
    ):
        raise BundleError("not a forgeloc training checkpoint (no state_dict/hyper_parameters)", path)
    return checkpoint


def best_metrics(checkpoint: dict) -> dict:
    """The monitored validation figures the checkpoint callbacks recorded."""
    metrics = {"epoch": checkpoint.get("epoch"), "global_step": checkpoint.get("global_step")}
    for state in checkpoint.get("callbacks", {}).values():
        if isinstance(state, dict) and state.get("monitor") and state.get("best_model_score") is not None:
            metrics[f"best_{state['monitor']}"] = float(state["best_model_score"])
    return metrics


def export_checkpoint(
    checkpoint_path: str | Path,
    out: str | Path,
    half: bool = False,
    thresholds: dict | None = None,
    svm: bool = False,
    keep_head: bool = False,
) -> Path:
    """Write the bundle for a checkpoint; return its json path. svm=True fits mesoinception4_svm on the
    checkpoint's training split and bundles that instead. A segmentation model trained with a
    classification head beside its mask (smp `aux_params`) is bundled without it unless `keep_head`:
    every frame rule of forgeloc reads the map (the head was measured not to rank frames better,
    docs/training_history.md, runs 28-29), and a bundle's model returns the map alone."""
    checkpoint = read_checkpoint(checkpoint_path)
    hparams = checkpoint["hyper_parameters"]
    name, arguments = hparams.get("model"), dict(hparams.get("model_args") or {})
    if not isinstance(name, str):
        raise BundleError("checkpoint does not name its model", checkpoint_path)
    state = {k.removeprefix("net."): v for k, v in checkpoint["state_dict"].items() if k.startswith("net.")}
    if "aux_params" in arguments and not keep_head:
        del arguments["aux_params"]
        state = {k: v for k, v in state.items() if not k.startswith(CLASS_HEAD)}
    model = build_model(name, **arguments)
    try:
        model.load_state_dict(state)
    except RuntimeError as error:
        raise BundleError(f"weights do not fit {name}: {str(error)[:300]}", checkpoint_path) from None
    data = dict(checkpoint.get("datamodule_hyper_parameters") or {})
    record = _preprocessing(checkpoint, checkpoint_path)
    input_size = record.input_size if record else _crop_size(checkpoint, data, checkpoint_path)
    if svm:
        model, name, arguments = _with_svm(model, name, data, checkpoint_path)
    return save_bundle(
        out,
        model.eval(),
        name,
        arguments,
        input_size=input_size,
        thresholds=thresholds,
        data=data,
        metrics=best_metrics(checkpoint),
        half=half,
        preprocessing=record,
    )


def _preprocessing(checkpoint: dict, checkpoint_path) -> Preprocessing | None:
    """The preprocessing record the data module saved in the checkpoint, if it saved one."""
    for value in checkpoint.values():
        if isinstance(value, dict) and isinstance(value.get("preprocessing"), dict):
            try:
                return Preprocessing.from_dict(value["preprocessing"])
            except ForgelocError as error:
                raise BundleError(f"bad preprocessing record: {error.reason}", checkpoint_path) from None
    return None


def _crop_size(checkpoint: dict, data: dict, checkpoint_path) -> tuple[int, int]:
    """The crop size trained on: recorded in the checkpoint, else read from the dataset it names."""
    recorded = (checkpoint.get("ForgeryDataModule") or {}).get("crop_size")
    if recorded:
        return tuple(recorded)
    try:
        from train.data import ForgeryDataModule

        datamodule = ForgeryDataModule(data["data_dir"])
        datamodule.setup("validate")
        return tuple(datamodule.crop_size())
    except (KeyError, ForgelocError):
        raise BundleError(
            "the checkpoint records no crop size and its dataset cannot be read to find it", checkpoint_path
        ) from None


def _with_svm(model, name: str, data: dict, checkpoint_path) -> tuple:
    """(MesoSVM, its name, its arguments), fitted on the training split the checkpoint was trained on."""
    from train.data import ForgeryDataModule
    from train.svm import fit_svm

    if name != "mesoinception4":
        raise BundleError(f"--svm needs a mesoinception4 checkpoint, this one is {name}", checkpoint_path)
    if "data_dir" not in data:
        raise BundleError("the checkpoint does not say which dataset it was trained on", checkpoint_path)
    datamodule = ForgeryDataModule(data["data_dir"], batch_size=32, model=name)
    datamodule.setup("fit")
    svm = fit_svm(model, datamodule.plain_loader("train"))
    return svm, "mesoinception4_svm", {"support_vectors": int(svm.support.shape[0])}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "checkpoint",
        help="a .ckpt written by `forgeloc train fit` (read with torch.load(weights_only=True): tensors and "
        "plain containers only, never arbitrary pickled objects), MesoNet's Keras .h5, or a bundle's .json",
    )
    parser.add_argument("--out", required=True, help="bundle path without suffix: DIR/NAME")
    parser.add_argument("--half", action="store_true", help="store the weights as float16 (half the size)")
    parser.add_argument("--onnx", action="store_true", help="also write NAME.onnx (used by onnxruntime)")
    parser.add_argument(
        "--int8",
        metavar="DATASET",
        help="write NAME.onnx quantized to int8, calibrated on crops of this mask-gen dataset "
        "(--calibration-split; about twice as fast on a CPU; implies --onnx)",
    )
    parser.add_argument(
        "--calibration-crops", type=int, default=128, help="crops drawn for --int8 calibration (default 128)"
    )
    parser.add_argument(
        "--calibration-split",
        default="train",
        help="the --int8 dataset's split the calibration crops come from (default train)",
    )
    parser.add_argument(
        "--flip-average",
        action="store_true",
        help="record that every crop is also run mirrored and the two maps averaged (twice the model's "
        "cost; search the thresholds again with `forgeloc thresholds` afterwards)",
    )
    parser.add_argument(
        "--svm", action="store_true", help="mesoinception4 only: fit seed 002's RBF SVM on its features"
    )


def copy_bundle(source: str | Path, out: str | Path) -> Path:
    """A bundle's json and weights copied to DIR/NAME (any ONNX model is left behind); the new json path."""
    json_path, weights_path = bundle_paths(source)
    load_bundle(json_path)  # refuse a broken bundle before copying it
    target_json, target_weights = bundle_paths(out)
    if target_json.resolve() == json_path.resolve():
        raise BundleError("--out names the source bundle itself", json_path)
    target_json.parent.mkdir(parents=True, exist_ok=True)
    meta = json.loads(json_path.read_text())
    meta.pop("onnx", None)
    shutil.copyfile(weights_path, target_weights)
    write_text_atomic(target_json, json.dumps(meta, indent=2) + "\n")
    return target_json


def record_flip_average(json_path: Path) -> None:
    """Mark a written bundle as averaging each crop's map with its mirror image's (Bundle.flip_average)."""
    update_meta(json_path, lambda meta: meta.update(test_time={**meta.get("test_time", {}), "hflip": True}))


def export_keras(h5_path: str | Path, out: str | Path) -> Path:
    """The original Keras MesoNet weights, converted once into a bundle (P(fake) polarity)."""
    from localize.models.keras import load_keras_mesonet
    from localize.models.mesonet import Inception

    model = load_keras_mesonet(h5_path)
    name = "mesoinception4" if isinstance(model.body[0], Inception) else "meso4"
    return save_bundle(out, model, name, data={"source": f"Keras weights {Path(h5_path).name}"})


def run(args: argparse.Namespace) -> int:
    source = Path(args.checkpoint)
    if source.suffix in (".h5", ".json") and (args.half or args.svm):
        raise ConfigError(f"--half and --svm apply to training checkpoints, not to a {source.suffix} file")
    if args.int8 and not Path(args.int8, "manifest.csv").is_file():
        raise DatasetError("--int8 needs a mask-gen dataset (no manifest.csv)", args.int8)
    if source.suffix == ".h5":
        path = export_keras(source, args.out)
        print(f"bundle: {path} (converted from the Keras original)")
    elif source.suffix == ".json":
        path = copy_bundle(source, args.out)
        print(f"bundle: {path} (copied from {source})")
    else:
        path = export_checkpoint(source, args.out, half=args.half, svm=args.svm)
    if args.flip_average:
        record_flip_average(path)
        print(f"test time: {path} averages each crop with its mirror image (search its thresholds again)")
    if args.int8:
        from train.quantize import CalibrationConfig, add_int8_onnx, calibration_crops

        size = tuple(load_bundle(path).meta.get("input_size", (256, 256)))
        config = CalibrationConfig(crops=args.calibration_crops, split=args.calibration_split)
        crops = calibration_crops(args.int8, size, config)
        print(
            f"onnx: {add_int8_onnx(path, crops, source=f'{args.int8} ({config.split} split)')} "
            f"(int8, {len(crops)} calibration crops)"
        )
    elif args.onnx:
        from localize.inference.onnx_runtime import add_onnx

        print(f"onnx: {add_onnx(path)}")
    try:
        bundle = load_bundle(path)
    except ForgelocError as error:
        raise BundleError(f"the written bundle does not load back: {error}", path) from None
    print(f"bundle: {path} (+ {path.with_suffix('.safetensors').name}), model {bundle.meta['model']}")
    return 0
