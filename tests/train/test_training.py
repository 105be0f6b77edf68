"""Training end to end: a tiny U-Net overfits, fit/validate/test/resume through the CLI, DDP on CPU,
export to a bundle with identical outputs, and bad input refused before training starts."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from localize.cli.main import main
from localize.inference.bundle import load_bundle
from localize.models import build_model
from mask_gen.synth.manipulations import make_image_pair
from mask_gen.synth.sources import bundled_photos, fit_side
from train.export import read_checkpoint
from train.losses import bce_minus_log_dice

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
TINY = '{"base_features": 8, "depth": 3}'


def fit_args(data, root, *extra):
    return [
        "train",
        "fit",
        "--config",
        str(CONFIGS / "unet_v1.yaml"),
        "--data.data_dir",
        str(data),
        "--data.num_workers",
        "0",
        "--data.batch_size",
        "4",
        "--model.init_args.model_args",
        TINY,
        "--trainer.default_root_dir",
        str(root),
        "--trainer.enable_progress_bar",
        "false",
        "--trainer.logger.init_args.save_dir",
        str(root),
        *extra,
    ]


def metrics(root):
    path = sorted(root.glob("lightning_logs/version_*/metrics.csv"))[-1]
    with path.open() as handle:
        return list(csv.DictReader(handle))


def test_tiny_unet_overfits_a_handful_of_pairs():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    still = fit_side(bundled_photos()["astronaut"], 64)
    pairs = [make_image_pair(still, rng, "self_blend") for _ in range(4)]
    x = torch.from_numpy(np.stack([p.fake for p in pairs])).permute(0, 3, 1, 2).float() / 255
    y = torch.from_numpy(np.stack([p.mask for p in pairs]))[:, None].float()
    model = build_model("unet", base_features=8, depth=3, norm="batch")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(150):
        optimizer.zero_grad()
        bce_minus_log_dice(model(x), y).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        predicted = model(x) > 0
    dice = 2 * (predicted & (y > 0)).sum() / (predicted.sum() + (y > 0).sum())
    assert dice > 0.9


@pytest.mark.slow
def test_fit_validate_test_resume_and_export(tiny_dataset, tmp_path, capsys, recwarn):
    root = tmp_path / "run"
    assert main(fit_args(tiny_dataset, root, "--trainer.max_epochs", "2")) == 0
    # forgeloc hands LightningCLI its arguments explicitly: no warning about sys.argv (pytest's here)
    assert not [w for w in recwarn if "args parameter" in str(w.message)]
    last = next(root.rglob("last.ckpt"))
    rows = metrics(root)
    assert {"val_dice", "val_iou", "val_frame_f1", "val_loss"} <= set(rows[-1])
    assert read_checkpoint(last)["epoch"] == 1

    # resume: two more epochs continue from the saved one
    assert main(fit_args(tiny_dataset, root, "--trainer.max_epochs", "4", "--ckpt_path", str(last))) == 0
    newest = max(root.rglob("last.ckpt"), key=lambda path: path.stat().st_mtime)
    assert newest != last and read_checkpoint(newest)["epoch"] == 3

    for stage in ("validate", "test"):
        args = fit_args(tiny_dataset, root / stage, "--ckpt_path", str(last))
        args[1] = stage
        assert main(args) == 0
    assert "test_dice" in capsys.readouterr().out

    out = tmp_path / "bundle" / "tiny"
    assert main(["export", str(last), "--out", str(out)]) == 0
    bundle = load_bundle(out)
    state = read_checkpoint(last)["state_dict"]
    model = build_model("unet_v1", base_features=8, depth=3)
    model.load_state_dict({k.removeprefix("net."): v for k, v in state.items()})
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        assert torch.equal(bundle.model(x), model.eval()(x))
    assert bundle.meta["data"]["data_dir"] == str(tiny_dataset)
    assert "best_val_dice" in bundle.meta["metrics"]
    # the dataset's crop rule (whole frames) travels: a localizer on this bundle does not look for faces
    assert bundle.preprocessing.crop == "none" and bundle.preprocessing.input_size == (64, 64)
    from localize.inference.localizer import Localizer

    assert Localizer.load(out).crop_mode == "none"
    # the bundle declares the 64 px crops it was trained on, so inference feeds it 64 px crops
    assert bundle.meta["input_size"] == [64, 64] == read_checkpoint(last)["ForgeryDataModule"]["crop_size"]
    # a checkpoint from before crop sizes were recorded: read from the dataset it names
    older = read_checkpoint(last)
    del older["ForgeryDataModule"]
    torch.save(older, tmp_path / "older.ckpt")
    assert main(["export", str(tmp_path / "older.ckpt"), "--out", str(tmp_path / "older")]) == 0
    assert load_bundle(tmp_path / "older").meta["input_size"] == [64, 64]


@pytest.mark.slow
def test_classifier_trains_through_the_cli_and_exports_with_an_svm(tmp_path, capsys):
    from tests.conftest import write_pairs

    csv_path = write_pairs(tmp_path / "pairs", 256, count=8)
    data = tmp_path / "ds"
    assert main(["mask-gen", str(csv_path), "--out", str(data), "--crop", "none"]) == 0
    root = tmp_path / "run"
    args = fit_args(data, root, "--trainer.max_epochs", "1")
    args[3] = str(CONFIGS / "mesoinception4.yaml")
    args.remove("--model.init_args.model_args")
    args.remove(TINY)
    assert main(args) == 0
    assert {"val_f1", "val_auc"} <= set(metrics(root)[-1])
    last = next(root.rglob("last.ckpt"))
    assert main(["export", str(last), "--out", str(tmp_path / "svm"), "--svm"]) == 0
    bundle = load_bundle(tmp_path / "svm")
    assert bundle.meta["model"] == "mesoinception4_svm" and bundle.model.support.shape[0] > 0
    capsys.readouterr()
    assert main(["export", str(last), "--out", str(tmp_path / "plain")]) == 0
    assert load_bundle(tmp_path / "plain").meta["model"] == "mesoinception4"


@pytest.mark.slow
def test_ddp_on_cpu_with_two_processes(tiny_dataset, tmp_path):
    root = tmp_path / "ddp"
    extra = ["--trainer.max_epochs", "1", "--trainer.accelerator", "cpu", "--trainer.devices", "2"]
    extra += ["--trainer.callbacks+=tests.train.rank_weights.RankWeights"]
    assert main(fit_args(tiny_dataset, root, *extra, "--trainer.strategy", "ddp_spawn")) == 0
    assert next(root.rglob("last.ckpt")).is_file()
    # both ranks end with the same weights: each saw its own half of the data, the gradients were averaged
    ranks = [torch.load(root / f"rank{r}.pt", weights_only=True) for r in (0, 1)]
    assert ranks[0].keys() == ranks[1].keys() and ranks[0]
    assert all(torch.equal(ranks[0][k], ranks[1][k]) for k in ranks[0])


def test_bad_input_is_refused_before_training(tiny_dataset, tmp_path, capsys):
    broken = tmp_path / "broken"
    shutil.copytree(tiny_dataset, broken)
    first = next((broken / "images").glob("*.png"))
    first.unlink()
    assert main(fit_args(broken, tmp_path / "r1", "--trainer.max_epochs", "1")) == 1
    assert f"{first}: " in capsys.readouterr().err

    wrong = tmp_path / "wrong"
    shutil.copytree(tiny_dataset, wrong)
    mask = next((wrong / "masks").glob("*.png"))
    Image.new("L", (32, 32)).save(mask)
    assert main(fit_args(wrong, tmp_path / "r2", "--trainer.max_epochs", "1")) == 1
    assert "mask is (32, 32), image (64, 64)" in capsys.readouterr().err

    empty = tmp_path / "empty"
    shutil.copytree(tiny_dataset, empty)
    text = (empty / "manifest.csv").read_text().replace(",val,", ",train,")
    (empty / "manifest.csv").write_text(text)
    assert main(fit_args(empty, tmp_path / "r3", "--trainer.max_epochs", "1")) == 1
    assert "the val split is empty" in capsys.readouterr().err

    for name, write in (
        ("junk", lambda path: path.write_bytes(b"not an image")),
        ("tiny", lambda path: Image.new("RGB", (1, 1)).save(path)),
    ):
        bad = tmp_path / name
        shutil.copytree(tiny_dataset, bad)
        train_row = next(r for r in csv.DictReader((bad / "manifest.csv").open()) if r["split"] == "train")
        image = bad / train_row["image"]
        write(image)
        if name == "tiny":
            Image.new("L", (1, 1)).save(bad / "masks" / image.name)
        assert main(fit_args(bad, tmp_path / f"r-{name}", "--trainer.max_epochs", "1")) == 1
        error = capsys.readouterr().err
        assert str(image) in error and ("not a readable image" in error or "too small" in error)

    args = fit_args(tiny_dataset, tmp_path / "r4", "--model.init_args.model", "unet3")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "unknown model 'unet3'" in err and "Traceback" not in err
    assert not (tmp_path / "r4" / "lightning_logs").exists()


@pytest.mark.parametrize(
    "extra, says",
    [
        (["--model.init_args.lrr", "0.1"], "Option 'lrr' is not accepted"),
        (["--model.init_args.lr", "fast"], "Parser key \"lr\": Expected a <class 'float'>. Got value: fast"),
        (["--trainer.max_epochs", "two"], "Parser key \"trainer.max_epochs\": Expected a <class 'int'>"),
    ],
)
def test_a_mistyped_option_is_one_line_naming_the_config_and_the_option(tmp_path, capsys, extra, says):
    assert main(fit_args(tmp_path / "no-data", tmp_path / "r", *extra)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "usage:" not in err and "Subtypes" not in err  # no usage screen
    assert f"{CONFIGS / 'unet_v1.yaml'}: " in err and says in err


@pytest.mark.parametrize(
    "content", [b"not a checkpoint", b"hi\n", bytes(range(256)) * 4, b"PK\x03\x04" + bytes(60)]
)
def test_export_refuses_what_is_not_a_checkpoint(tmp_path, capsys, content):
    (tmp_path / "x.ckpt").write_bytes(content)  # text, binary noise, a broken zip: one line each
    assert main(["export", str(tmp_path / "x.ckpt"), "--out", str(tmp_path / "b")]) == 1
    err = capsys.readouterr().err
    assert "x.ckpt: not a readable checkpoint" in err and err.count("\n") == 1
    import pickle

    (tmp_path / "code.ckpt").write_bytes(pickle.dumps({"state_dict": {}, "run": print}))  # would run code
    assert main(["export", str(tmp_path / "code.ckpt"), "--out", str(tmp_path / "b")]) == 1
    err = capsys.readouterr().err
    assert "objects other than weights" in err and "False" not in err and err.count("\n") == 1


def test_balanced_sampling_weighs_real_and_fake_frames_alike():
    from mask_gen.manifest import ManifestRow
    from train.data import ForgeryDataModule

    rows = [ManifestRow("r", "train", 0, "i", "m")] * 2 + [ManifestRow("f", "train", 1, "i", "m")] * 8
    weights = torch.as_tensor(list(ForgeryDataModule._balanced_sampler(rows).weights))
    assert weights[:2].sum() == pytest.approx(weights[2:].sum())


def test_fine_tuning_starts_from_given_weights(tmp_path):
    from localize.inference.bundle import save_bundle
    from train.modules import SegmentationModule

    donor = build_model("unet", base_features=4, depth=3)
    path = save_bundle(tmp_path / "b", donor, "unet", {"base_features": 4, "depth": 3}, half=True)
    module = SegmentationModule(
        model="unet",
        model_args={"base_features": 4, "depth": 3},
        init_weights=str(path.with_suffix(".safetensors")),
    )
    torch.testing.assert_close(module.net.head.weight, donor.head.weight, atol=1e-3, rtol=1e-3)
    with pytest.raises(Exception, match="do not fit"):
        SegmentationModule(model="unet_v1", init_weights=str(path.with_suffix(".safetensors")))


def _quiet_trainer(root, max_steps, callbacks=()):
    """A Lightning trainer for a few steps on the CPU, with no logger, checkpoints or progress bars."""
    import pytorch_lightning as pl

    return pl.Trainer(
        max_steps=max_steps,
        callbacks=list(callbacks),
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir=root,
    )


@pytest.mark.parametrize("scale", [0.1, 0.0])
def test_the_encoder_learns_at_its_own_share_of_the_learning_rate(scale):
    from train.modules import SegmentationModule

    torch.manual_seed(0)
    args = {"encoder_depth": 3, "decoder_channels": [16, 8, 8]}
    module = SegmentationModule(
        model="smp:Unet:mobilenet_v2", model_args=args, lr=0.01, encoder_lr_scale=scale
    )
    optimizer = module.configure_optimizers()
    encoder = {id(p) for p in module.net.encoder.parameters()}
    by_lr = {round(group["lr"], 6): {id(p) for p in group["params"]} for group in optimizer.param_groups}
    assert by_lr[0.01] and not by_lr[0.01] & encoder  # the decoder and head at lr
    assert by_lr.get(0.001, set()) == (encoder if scale else set())  # the whole encoder at lr x scale
    before = {name: p.detach().clone() for name, p in module.net.named_parameters()}
    x = torch.rand(2, 3, 64, 64)
    bce_minus_log_dice(module(x), (x[:, :1] > 0.5).float()).backward()
    assert all(p.grad is None for p in module.net.encoder.parameters()) == (scale == 0)  # frozen: no grads
    optimizer.step()
    moved = {name for name, p in module.net.named_parameters() if not torch.equal(p, before[name])}
    assert any(name.startswith("decoder") for name in moved)
    assert any(name.startswith("encoder") for name in moved) == (scale > 0)  # 0 freezes the encoder


def test_the_encoder_waits_its_frozen_steps_then_learns(tmp_path):
    import pytorch_lightning as pl

    from train.modules import SegmentationModule

    torch.manual_seed(0)
    args = {"encoder_depth": 3, "decoder_channels": [16, 8, 8]}
    module = SegmentationModule(
        model="smp:Unet:mobilenet_v2",
        model_args=args,
        lr=0.01,
        encoder_lr_scale=0.5,
        encoder_frozen_steps=3,
        schedule="cosine",
    )
    x = torch.rand(8, 3, 64, 64)
    mask = (x[:, :1] > 0.5).float()
    data = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(x, mask, torch.ones(8)), batch_size=2, shuffle=False
    )
    seen = []  # (step, encoder weights, decoder weights, encoder lr) at each batch start

    class Watch(pl.Callback):
        def on_train_batch_start(self, trainer, pl_module, batch, batch_index):
            weight = pl_module.net.encoder.features[1].conv[0][0].weight.detach().clone()
            head = pl_module.net.segmentation_head[0].weight.detach().clone()
            seen.append((trainer.global_step, weight, head, trainer.optimizers[0].param_groups[1]["lr"]))

    _quiet_trainer(tmp_path, max_steps=6, callbacks=[Watch()]).fit(module, data)
    steps = [step for step, *_ in seen]
    assert steps == [0, 1, 2, 3, 4, 5]
    encoder_moved = [not torch.equal(seen[i][1], seen[i + 1][1]) for i in range(5)]
    head_moved = [not torch.equal(seen[i][2], seen[i + 1][2]) for i in range(5)]
    assert encoder_moved == [False, False, False, True, True]  # frozen for the first three steps
    assert all(head_moved)  # the decoder learns throughout
    assert [lr for *_, lr in seen[:3]] == [0.0, 0.0, 0.0] and seen[3][3] > 0


def _small_mobilenet_unet(**encoder_args):
    """A seeded full-depth smp MobileNetV2 U-Net with a tiny decoder, its encoder at half the lr."""
    from train.modules import SegmentationModule

    torch.manual_seed(0)
    return SegmentationModule(
        model="smp:Unet:mobilenet_v2",
        model_args={"decoder_channels": [16, 8, 8, 8, 8]},
        lr=0.01,
        encoder_lr_scale=0.5,
        **encoder_args,
    )


@pytest.mark.parametrize("stride, frozen_from", [(16, 7), (32, 14)])
def test_the_deep_encoder_stages_keep_their_weights_while_the_shallow_ones_learn(stride, frozen_from):
    module = _small_mobilenet_unet(encoder_frozen_from_stride=stride)
    optimizer = module.configure_optimizers()
    before = {name: p.detach().clone() for name, p in module.net.named_parameters()}
    x = torch.rand(2, 3, 64, 64)
    bce_minus_log_dice(module(x), (x[:, :1] > 0.5).float()).backward()
    optimizer.step()
    moved = {name for name, p in module.net.named_parameters() if not torch.equal(p, before[name])}
    blocks = {int(name.split(".")[2]) for name in moved if name.startswith("encoder.features.")}
    assert blocks and max(blocks) < frozen_from <= 14  # features[frozen_from:] untouched
    assert frozen_from - 1 in blocks  # the last shallow block learns
    assert any(name.startswith("decoder") for name in moved)


def test_the_deep_stages_stay_frozen_after_the_encoder_frozen_steps(tmp_path):
    module = _small_mobilenet_unet(encoder_frozen_steps=1, encoder_frozen_from_stride=16)
    x = torch.rand(4, 3, 64, 64)
    data = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(x, (x[:, :1] > 0.5).float(), torch.ones(4)), batch_size=2
    )
    deep = module.net.encoder.features[10].conv[0][0].weight.detach().clone()
    shallow = module.net.encoder.features[3].conv[0][0].weight.detach().clone()
    _quiet_trainer(tmp_path, max_steps=3).fit(module, data)
    assert torch.equal(module.net.encoder.features[10].conv[0][0].weight, deep)
    assert not torch.equal(module.net.encoder.features[3].conv[0][0].weight, shallow)


def test_an_encoder_learning_rate_needs_a_model_with_an_encoder():
    from localize.common.errors import ConfigError
    from train.modules import SegmentationModule

    with pytest.raises(ConfigError, match="encoder"):
        SegmentationModule(model="unet", model_args={"base_features": 4, "depth": 3}, encoder_lr_scale=0.5)
    with pytest.raises(ConfigError, match="0..1"):
        SegmentationModule(model="smp:Unet:mobilenet_v2", encoder_lr_scale=2.0)
    with pytest.raises(ConfigError, match="never does"):
        SegmentationModule(model="smp:Unet:mobilenet_v2", encoder_lr_scale=0.0, encoder_frozen_steps=100)
    with pytest.raises(ConfigError, match="encoder"):
        SegmentationModule(model="unet", model_args={"base_features": 4, "depth": 3}, encoder_frozen_steps=9)
    with pytest.raises(ConfigError, match="strides \\[16, 32\\]"):
        SegmentationModule(model="smp:Unet:mobilenet_v2", encoder_frozen_from_stride=8)
    with pytest.raises(ConfigError, match="encoder"):
        SegmentationModule(
            model="unet", model_args={"base_features": 4, "depth": 3}, encoder_frozen_from_stride=16
        )


def _tiny_bundle(path):
    from localize.inference.bundle import save_bundle

    torch.manual_seed(0)
    args = {"base_features": 4, "depth": 3}
    return save_bundle(path, build_model("unet", **args), "unet", args, input_size=(64, 64))


def test_export_adds_an_int8_onnx_model_to_a_copy_of_a_bundle(tiny_dataset, tmp_path, capsys):
    from localize.inference.localizer import InferenceConfig, Localizer

    source = _tiny_bundle(tmp_path / "src")
    out = tmp_path / "out" / "fast"
    assert main(["export", str(source), "--out", str(out), "--int8", str(tiny_dataset)]) == 0
    assert "int8" in capsys.readouterr().out
    meta = load_bundle(out.with_suffix(".json")).meta
    train_rows = sum(
        row["split"] == "train" for row in csv.DictReader((tiny_dataset / "manifest.csv").open())
    )
    assert meta["onnx"]["int8"]["crops"] == train_rows
    assert meta["onnx"]["int8"]["calibration"] == f"{tiny_dataset} (train split)"
    assert "onnx" not in load_bundle(source).meta  # the source bundle is left as it was
    localizer = Localizer.load(out, InferenceConfig(crop="none", runtime="onnx"))
    assert localizer.predict_image(np.zeros((64, 64, 3), np.uint8)).prob.shape == (64, 64)


def test_export_calibrates_int8_on_the_split_it_is_given(tiny_dataset, tmp_path, capsys):
    source = _tiny_bundle(tmp_path / "src")
    rows = list(csv.DictReader((tiny_dataset / "manifest.csv").open()))
    val_rows = sum(row["split"] == "val" for row in rows)
    assert 0 < val_rows != sum(row["split"] == "train" for row in rows)
    out = tmp_path / "val"
    argv = [
        "export",
        str(source),
        "--out",
        str(out),
        "--int8",
        str(tiny_dataset),
        "--calibration-split",
        "val",
    ]
    assert main(argv) == 0
    meta = load_bundle(out.with_suffix(".json")).meta
    assert meta["onnx"]["int8"]["crops"] == val_rows
    assert meta["onnx"]["int8"]["calibration"] == f"{tiny_dataset} (val split)"
    capsys.readouterr()
    argv[3] = str(tmp_path / "none")
    assert main([*argv[:-1], "holdout"]) == 1
    assert "no holdout crops to calibrate on" in capsys.readouterr().err


def test_export_records_flip_averaging_and_onnx_runs_it_as_pytorch_does(tmp_path, capsys):
    from localize.inference.localizer import InferenceConfig, Localizer

    source = _tiny_bundle(tmp_path / "src")
    out = tmp_path / "flip"
    assert main(["export", str(source), "--out", str(out), "--flip-average", "--onnx"]) == 0
    assert "search its thresholds again" in capsys.readouterr().out
    assert load_bundle(out.with_suffix(".json")).meta["test_time"] == {"hflip": True}
    assert "test_time" not in load_bundle(source).meta
    image = np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    maps = {
        (path, runtime): Localizer.load(path, InferenceConfig(crop="none", runtime=runtime))
        .predict_image(image)
        .prob
        for path, runtime in ((source, "torch"), (out, "torch"), (out, "onnx"))
    }
    np.testing.assert_allclose(maps[out, "onnx"], maps[out, "torch"], atol=1e-4)
    assert not np.allclose(maps[out, "torch"], maps[source, "torch"], atol=1e-4)


def test_export_refuses_a_calibration_folder_that_is_no_dataset_and_overwriting_its_source(tmp_path, capsys):
    source = _tiny_bundle(tmp_path / "src")
    assert main(["export", str(source), "--out", str(tmp_path / "b"), "--int8", str(tmp_path)]) == 1
    assert "needs a mask-gen dataset" in capsys.readouterr().err
    assert not (tmp_path / "b.json").exists()
    assert main(["export", str(source), "--out", str(tmp_path / "src"), "--onnx"]) == 1
    assert "source bundle itself" in capsys.readouterr().err
    assert main(["export", str(source), "--out", str(tmp_path / "h"), "--half"]) == 2
    assert "apply to training checkpoints" in capsys.readouterr().err


@pytest.mark.slow
def test_a_margin_travels_from_dataset_to_checkpoint_to_bundle_to_inspection(tmp_path):
    """mask-gen --margin 1.6 -> dataset.json -> checkpoint -> bundle -> inspect uses 1.6 unasked."""
    import json

    from tests.conftest import write_pairs

    csv_path = write_pairs(tmp_path / "pairs", 96)
    data = tmp_path / "ds"
    assert main(["mask-gen", str(csv_path), "--out", str(data), "--margin", "1.6", "--size", "64"]) == 0
    assert json.loads((data / "dataset.json").read_text())["preprocessing"]["margin"] == 1.6
    root = tmp_path / "run"
    assert main(fit_args(data, root, "--trainer.max_steps", "2", "--trainer.limit_val_batches", "1")) == 0
    checkpoint = read_checkpoint(next(root.rglob("last.ckpt")))
    assert checkpoint["ForgeryDataModule"]["preprocessing"]["margin"] == 1.6
    out = tmp_path / "bundle" / "m16"
    assert main(["export", str(next(root.rglob("last.ckpt"))), "--out", str(out)]) == 0
    record = load_bundle(out).preprocessing
    assert (record.margin, record.crop, record.detector, record.input_size) == (
        1.6,
        "face",
        "yunet",
        (64, 64),
    )
    image = tmp_path / "face.png"
    Image.fromarray(fit_side(bundled_photos()["astronaut"], 256)).save(image)
    assert main(["inspect", str(image), "--out", str(tmp_path / "inspect"), "--model", str(out)]) == 0
    parameters = json.loads((tmp_path / "inspect" / "results.json").read_text())["parameters"]
    assert parameters["margin"] == 1.6 and parameters["preprocessing"]["margin"] == 1.6


def test_the_training_frame_f1_uses_the_frame_rule_of_inspection():
    """A single confident pixel is not a fake frame for inspect (regions > 100 px), so not for the
    training log either: the logged frame F1 is the quantity eval reports."""
    from train.modules import SegmentationModule

    module = SegmentationModule(model="unet", model_args={"base_features": 4, "depth": 2})
    logits = torch.full((2, 1, 64, 64), -8.0)
    logits[0, 0, 10, 10] = 8.0  # one pixel: not a region
    logits[1, 0, 20:40, 20:40] = 8.0  # 400 px: a region
    module.forward = lambda x: logits  # the map under test, whatever the input
    mask = torch.zeros(2, 1, 64, 64)
    module._evaluate((torch.zeros(2, 3, 64, 64), mask, torch.tensor([1.0, 1.0])), "val")
    assert float(module.frame_f1["val"].compute()) == pytest.approx(2 * 1 / (2 * 1 + 0 + 1))  # 1 hit, 1 miss


def test_real_flagged_is_the_share_of_real_frames_the_frame_rule_flags_over_the_whole_split():
    """Batches of mixed, all-fake and all-real frames: the logged rate counts real frames only, over the
    epoch; a split with no real frame logs no rate. The net is a 1x1 convolution passing the first
    channel through, so a frame whose first channel is +4 is flagged (a region above 0.5) and -4 is not."""
    from train.modules import SegmentationModule

    module = SegmentationModule(model="unet", model_args={"base_features": 4, "depth": 2}).eval()
    module.net = torch.nn.Conv2d(3, 1, 1)
    with torch.no_grad():
        module.net.weight.zero_()
        module.net.weight[0, 0] = 1.0
        module.net.bias.zero_()

    def batch(signs, labels):
        x = torch.zeros(len(signs), 3, 32, 32)
        x[:, 0] = 4.0 * torch.tensor(signs, dtype=torch.float32)[:, None, None]
        return x, torch.zeros(len(signs), 1, 32, 32), torch.tensor(labels, dtype=torch.float32)

    with torch.no_grad():
        module._evaluate(batch([1, 1, -1, 1], [0, 1, 0, 1]), "val")  # reals: flagged, passed
        module._evaluate(batch([1, 1], [1, 1]), "val")  # no real frame
        module._evaluate(batch([1, -1, -1, -1], [0, 0, 0, 0]), "val")  # reals: 1 of 4 flagged
        module._evaluate(batch([1, 1], [1, 1]), "test")
    assert module.real_flagged["val"].compute().item() == pytest.approx(2 / 6)
    assert torch.isnan(module.real_flagged["test"].compute())


HEAD_ARGS = {"encoder_depth": 3, "decoder_channels": [16, 8, 8], "aux_params": {"classes": 1, "dropout": 0.0}}


def test_a_classification_head_adds_its_frame_loss_and_scores_the_frames(tmp_path):
    """smp's aux_params: the loss is the mask's plus the weighted BCE of the frame logit on the label,
    the frame AUC is the head's, the map maximum's AUC is logged beside it."""
    import torch.nn.functional as F

    from train.modules import SegmentationModule, split_outputs

    torch.manual_seed(0)
    module = SegmentationModule(model="smp:Unet:mobilenet_v2", model_args=HEAD_ARGS, class_loss_weight=2.0)
    module.eval()
    x, mask, label = torch.rand(4, 3, 64, 64), torch.zeros(4, 1, 64, 64), torch.tensor([0.0, 1.0, 0.0, 1.0])
    mask[1, :, 8:40, 8:40] = mask[3, :, 20:50, 10:30] = 1.0
    with torch.no_grad():
        output = module(x)
        logits, frames = split_outputs(output)
        assert logits.shape == (4, 1, 64, 64) and frames.shape == (4,)
        expected = bce_minus_log_dice(logits, mask) + 2.0 * F.binary_cross_entropy_with_logits(frames, label)
        torch.testing.assert_close(module.loss(output, mask, label), expected)
        module._evaluate((x, mask, label), "val")
    head_auc = module.frame_auc["val"].compute()
    order = torch.argsort(torch.sigmoid(frames))  # the head's ranking of the four frames
    ranked = label[order]
    pairs = [(i, j) for i in range(4) for j in range(4) if ranked[i] == 0 and ranked[j] == 1]
    assert float(head_auc) == pytest.approx(sum(i < j for i, j in pairs) / len(pairs))
    assert module.map_auc["val"].update_called
    plain = SegmentationModule(
        model="smp:Unet:mobilenet_v2", model_args={k: HEAD_ARGS[k] for k in HEAD_ARGS if k != "aux_params"}
    )
    with torch.no_grad():
        plain._evaluate((x, mask, label), "val")
    assert not plain.map_auc["val"].update_called  # without a head the frame score is the map's maximum


def test_a_head_starts_fresh_on_a_segmentation_models_weights_and_nothing_else_may_be_missing(tmp_path):
    from localize.inference.bundle import save_bundle
    from train.modules import SegmentationModule

    plain_args = {k: HEAD_ARGS[k] for k in HEAD_ARGS if k != "aux_params"}
    donor = build_model("smp:Unet:mobilenet_v2", **plain_args)
    path = save_bundle(tmp_path / "b", donor, "smp:Unet:mobilenet_v2", plain_args).with_suffix(".safetensors")
    module = SegmentationModule(model="smp:Unet:mobilenet_v2", model_args=HEAD_ARGS, init_weights=str(path))
    torch.testing.assert_close(module.net.segmentation_head[0].weight, donor.segmentation_head[0].weight)
    assert module.net.classification_head is not None
    from safetensors.torch import load_file, save_file

    partial = {k: v for k, v in load_file(str(path)).items() if not k.startswith("decoder.")}
    save_file(partial, str(tmp_path / "partial.safetensors"))
    with pytest.raises(Exception, match="do not fit"):
        SegmentationModule(
            model="smp:Unet:mobilenet_v2",
            model_args=HEAD_ARGS,
            init_weights=str(tmp_path / "partial.safetensors"),
        )


def test_a_head_model_is_bundled_without_its_head_unless_asked(tmp_path):
    """The product's frame rule reads the map: export drops smp's classification head (and its
    aux_params), and the bundle's map is the trained model's; keep_head keeps both for choosing."""
    from localize.inference.bundle import load_bundle
    from train.export import export_checkpoint
    from train.modules import split_outputs

    torch.manual_seed(0)
    net = build_model("smp:Unet:mobilenet_v2", **HEAD_ARGS).eval()
    checkpoint = {
        "state_dict": {f"net.{k}": v for k, v in net.state_dict().items()},
        "hyper_parameters": {"model": "smp:Unet:mobilenet_v2", "model_args": HEAD_ARGS},
        "ForgeryDataModule": {"crop_size": [64, 64]},
    }
    torch.save(checkpoint, tmp_path / "head.ckpt")
    plain = load_bundle(export_checkpoint(tmp_path / "head.ckpt", tmp_path / "plain"))
    kept = load_bundle(export_checkpoint(tmp_path / "head.ckpt", tmp_path / "kept", keep_head=True))
    assert "aux_params" not in plain.meta["arguments"] and plain.model.classification_head is None
    assert kept.model.classification_head is not None
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(plain.model(x), split_outputs(net(x))[0])
    assert plain.predict(np.zeros((1, 64, 64, 3), np.uint8))[0].shape == (64, 64)
