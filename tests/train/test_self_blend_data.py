"""Self-blend training data: items alternate real and blended, the mask marks the blend, validation is
the same on every pass, people never straddle splits, and ImageNet encoder weights load from a file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import skimage.data
import torch
from PIL import Image

from localize.common.errors import ConfigError, DatasetError
from localize.models import build_model
from localize.models.zoo import encoder_state, load_encoder_weights
from mask_gen.synth.selfblend.portraits import person_key, read_face_index, split_people
from mask_gen.writer import read_manifest
from train.self_blend_data import SelfBlendDataModule

WEIGHTS = Path(__file__).resolve().parents[3] / "shared" / "data" / "weights"
LANDMARKS = "204 107 243 103 227 128 209 148 241 145"  # the astronaut's, from YuNet


@pytest.fixture(scope="module")
def faces(tmp_path_factory) -> Path:
    """Twelve 'people': the astronaut photo, shifted a little for each."""
    root = tmp_path_factory.mktemp("faces")
    image = skimage.data.astronaut()
    lines = ["file,person,state,box_xywh,landmarks5"]
    for number in range(12):
        shifted = np.roll(image, 3 * number, axis=1)
        Image.fromarray(shifted).save(root / f"p{number}.jpg", quality=95)
        marks = " ".join(
            str(float(v) + (3 * number if i % 2 == 0 else 0)) for i, v in enumerate(LANDMARKS.split())
        )
        surname = "".join(chr(ord("a") + int(d)) for d in f"{number:02d}")
        lines.append(f"p{number}.jpg,Person {surname},XX,{178 + 3 * number} 63 90 113,{marks}")
    (root / "index.csv").write_text("\n".join(lines) + "\n")
    return root


def test_items_alternate_real_and_blended_with_the_blend_as_mask(faces):
    module = SelfBlendDataModule(str(faces), input_size=64, val_fraction=0.3, model="unet")
    module.setup("fit")
    dataset = module.dataset("train")
    x, mask, label = dataset[0]
    assert x.shape == (3, 64, 64) and mask.shape == (1, 64, 64) and label == 0 and mask.sum() == 0
    fakes = [dataset[2 * i + 1] for i in range(len(module.splits["train"]))]
    assert all(label == 1 for _, _, label in fakes)
    assert np.mean([float(mask.mean()) for _, mask, _ in fakes]) > 0.05  # the face, not the frame
    # the record the bundle will carry: face crops, the model's normalisation
    record = module.record
    assert record.crop == "face" and record.input_size == (64, 64) and record.detector == "yunet"
    assert module.state_dict()["preprocessing"] == record.to_dict()


def test_validation_is_the_same_every_pass_and_training_is_not(faces):
    module = SelfBlendDataModule(str(faces), input_size=64, val_fraction=0.3, model="unet")
    module.setup("fit")
    val, train = module.dataset("val"), module.dataset("train")
    assert torch.equal(val[1][0], module.dataset("val")[1][0])
    assert not torch.equal(train[1][0], train[1][0])


def test_people_never_straddle_splits(faces):
    photos = read_face_index(faces)
    splits = split_people(photos, 0.3)
    assert splits["val"] and splits["train"]
    assert not {p.person for p in splits["train"]} & {p.person for p in splits["val"]}
    assert person_key("AYRES, William Hanes", "OH") == person_key("William Ayres", "oh")


def test_bad_index_lines_are_named(tmp_path):
    with pytest.raises(DatasetError, match="folder not found"):
        read_face_index(tmp_path / "absent")
    with pytest.raises(DatasetError, match="no index.csv"):
        read_face_index(tmp_path)
    (tmp_path / "index.csv").write_text("file,box_xywh,landmarks5\n../x.jpg,1 2 3 4,1 2 3 4 5 6 7 8 9 10\n")
    with pytest.raises(DatasetError, match="outside the folder"):
        read_face_index(tmp_path)
    (tmp_path / "index.csv").write_text("file,box_xywh,landmarks5\na.jpg,1 2 3,1 2 3 4 5 6 7 8 9 10\n")
    with pytest.raises(DatasetError, match="line 2: box_xywh"):
        read_face_index(tmp_path)


def test_encoder_weights_map_by_name_or_in_order():
    model = build_model("smp:Unet:mobilenet_v2", decoder_channels=(16, 16, 16, 16, 16))
    own = model.encoder.state_dict()
    renamed = {f"other.{i}": v.clone() + 1 for i, (k, v) in enumerate(own.items()) if "num_batches" not in k}
    mapped = encoder_state(model.encoder, {**renamed, "classifier.1.weight": torch.zeros(3)}, "x")
    first = next(iter(mapped))
    assert torch.equal(mapped[first], own[first] + 1)  # paired in order when the names differ
    with pytest.raises(ConfigError, match="match neither"):
        encoder_state(model.encoder, {"a": torch.zeros(3)}, "x")


def test_torchvision_mobilenet_v2_file_loads_into_the_smp_encoder():
    path = WEIGHTS / "mobilenet_v2-b0353104.pth"
    if not path.is_file():
        pytest.skip("../shared's ImageNet weights are not present")
    model = build_model("smp:Unet:mobilenet_v2", decoder_channels=(16, 16, 16, 16, 16))
    load_encoder_weights(model.encoder, path)
    state = torch.load(path, map_location="cpu", weights_only=True)
    assert torch.equal(model.encoder.state_dict()["features.0.0.weight"], state["features.0.0.weight"])


def test_synth_self_blend_writes_a_mask_gen_dataset_that_training_reads(faces, tmp_path):
    from localize.cli.main import main
    from localize.inference.preprocess import read_dataset_json
    from localize.media.images import read_image, read_mask
    from mask_gen.writer import read_manifest
    from train.data import ForgeryDataModule

    out = tmp_path / "sb"
    args = ["synth", str(out), "--self-blend", str(faces), "--splits", "train,val", "--input-size", "64"]
    args += ["--val-fraction", "0.3"]
    assert main(args) == 0
    rows = read_manifest(out)
    photos = split_people(read_face_index(faces), 0.3)
    assert len(rows) == 2 * (len(photos["train"]) + len(photos["val"]))
    assert {r.label for r in rows} == {0, 1}
    for row in rows:
        mask = read_mask(out / row.mask)
        assert read_image(out / row.image).shape == (64, 64, 3)
        assert (row.label == 1) == bool(mask.any()) and row.mask_area == mask.sum()
    assert read_dataset_json(out).input_size == (64, 64)
    module = ForgeryDataModule(str(out), batch_size=2, model="unet")
    module.setup("fit")
    assert module.preprocessing().crop == "face"


def test_synth_self_blend_records_its_degradation_recipe_and_refuses_unknown_ones(faces, tmp_path, capsys):
    import json

    from localize.cli.main import main

    out = tmp_path / "footage"
    args = ["synth", str(out), "--self-blend", str(faces), "--input-size", "64", "--val-fraction", "0.3"]
    assert main([*args, "--degrade", "footage", "--seed", "4"]) == 0
    source = json.loads((out / "dataset.json").read_text())["source"]
    assert source["degrade"]["footage_compress"] == 0.8 and source["first_seed"] == 4
    assert main([*args[:1], str(tmp_path / "vhs"), *args[2:], "--degrade", "vhs"]) != 0
    assert "unknown degradation preset 'vhs'" in capsys.readouterr().err
    for draws in ("0", "-1"):  # was an empty dataset, written and announced as "-1 draw(s) per photo"
        assert main([*args[:1], str(tmp_path / f"d{draws}"), *args[2:], "--draws", draws]) != 0
        assert "draws must be >= 1" in capsys.readouterr().err and not (tmp_path / f"d{draws}").exists()


@pytest.fixture(scope="module")
def two_people(tmp_path_factory) -> list:
    """The astronaut, and her under a black-and-white checkerboard (strong edges any Poisson clone keeps),
    with the same landmarks: each is the other's only donor."""
    root = tmp_path_factory.mktemp("two")
    image = skimage.data.astronaut()
    board = ((np.indices(image.shape[:2]) // 6).sum(axis=0) % 2).astype(bool)
    Image.fromarray(image).save(root / "a.png")
    Image.fromarray(np.where(board[..., None], 255, image // 4).astype(np.uint8)).save(root / "b.png")
    lines = ["file,person,state,box_xywh,landmarks5"]
    lines += [f"{name}.png,Person {name},XX,178 63 90 113,{LANDMARKS}" for name in "ab"]
    (root / "index.csv").write_text("\n".join(lines) + "\n")
    return read_face_index(root)


@pytest.mark.parametrize(
    "forgery", ["donor_poisson", "recolour", "tone_warp", "rendered_swap", "mouth_rerender"]
)
def test_other_forgeries_change_the_masked_face_and_leave_the_real_items_alone(two_people, forgery):
    from localize.inference.preprocess import Preprocessing
    from mask_gen.synth.selfblend.degrade import DegradeConfig
    from mask_gen.synth.selfblend.sampler import SelfBlendSampler

    record = Preprocessing(margin=1.3, input_size=(64, 64))
    none = DegradeConfig(
        **dict.fromkeys(("hflip", "small_face", "blur", "noise", "colour"), 0.0),
        grey=0.0,
        compress=0.0,
        crop_jitter=0.0,
    )
    plain = SelfBlendSampler(two_people, record, none, fixed_seed=0)
    other = SelfBlendSampler(two_people, record, none, fixed_seed=0, forgery=forgery)
    real, _ = other.sample(0)
    assert np.array_equal(real, plain.sample(0)[0])  # reals are the same crops whatever the fakes
    fake, alpha = other.sample(1)
    assert not np.array_equal(fake, plain.sample(1)[0])  # not the self-blend under another name
    inside = alpha >= 0.5
    assert 0.05 < inside.mean() < 0.9
    change = np.abs(fake.astype(float) - real.astype(float)).mean(axis=2)
    assert change[inside].mean() > 8 and change[inside].mean() > 4 * change[~inside].mean()


def test_unknown_forgeries_and_donor_swaps_without_donors_are_refused(two_people):
    from localize.inference.preprocess import Preprocessing
    from mask_gen.synth.selfblend.degrade import DegradeConfig
    from mask_gen.synth.selfblend.sampler import SelfBlendSampler

    record = Preprocessing(input_size=(64, 64))
    with pytest.raises(ConfigError, match="unknown forgery 'morph'"):
        SelfBlendSampler(two_people, record, DegradeConfig(), forgery="morph")
    with pytest.raises(ConfigError, match="at least 2 photos"):
        SelfBlendSampler(two_people[:1], record, DegradeConfig(), forgery="donor_poisson")


def test_donor_and_poisson_blends_replace_the_shares_of_training_fakes_asked_and_never_validation(faces):
    plain = SelfBlendDataModule(str(faces), input_size=64, val_fraction=0.3, model="unet")
    donor = SelfBlendDataModule(str(faces), input_size=64, val_fraction=0.3, model="unet", donor_share=1.0)
    plain.setup("fit"), donor.setup("fit")
    assert torch.equal(plain.dataset("val")[1][0], donor.dataset("val")[1][0])  # runs stay comparable
    assert donor.dataset("train").sampler.donor_share == 1.0
    assert plain.hparams["donor_share"] == 0.0 and donor.hparams["donor_share"] == 1.0
    with pytest.raises(ConfigError, match="donor_share, poisson_share and rendered_share"):
        SelfBlendDataModule(str(faces), donor_share=1.5)
    with pytest.raises(ConfigError, match="sum <= 1"):
        SelfBlendDataModule(str(faces), donor_share=0.6, poisson_share=0.6)
    poisson = SelfBlendDataModule(
        str(faces), input_size=64, val_fraction=0.3, model="unet", poisson_share=1.0
    )
    poisson.setup("fit")
    assert torch.equal(plain.dataset("val")[1][0], poisson.dataset("val")[1][0])
    sampler = poisson.dataset("train").sampler
    assert sampler.poisson_share == 1.0 and poisson.hparams["poisson_share"] == 1.0
    _, alpha = sampler.sample(1)
    assert set(np.unique(alpha)) > {0.0, 1.0}  # the cloned hull, its edge resized with the crop
    assert (alpha == 1.0).mean() > 0.05


def test_rendered_edits_replace_the_share_of_training_fakes_asked_and_never_validation(faces):
    plain = SelfBlendDataModule(str(faces), input_size=64, val_fraction=0.3, model="unet")
    rendered = SelfBlendDataModule(
        str(faces), input_size=64, val_fraction=0.3, model="unet", rendered_share=1.0
    )
    plain.setup("fit"), rendered.setup("fit")
    assert torch.equal(plain.dataset("val")[1][0], rendered.dataset("val")[1][0])  # runs stay comparable
    assert rendered.hparams["rendered_share"] == 1.0
    with pytest.raises(ConfigError, match="sum <= 1"):
        SelfBlendDataModule(str(faces), poisson_share=0.5, rendered_share=0.6)
    from localize.inference.preprocess import Preprocessing
    from mask_gen.synth.selfblend.degrade import DegradeConfig
    from mask_gen.synth.selfblend.sampler import SelfBlendSampler

    photos = rendered.dataset("train").sampler.photos
    record, still = Preprocessing(input_size=(64, 64)), DegradeConfig(compress=0.0, hflip=0.0, noise=0.0)
    for edit in ("rendered_swap", "mouth_rerender"):  # each edit drawn alone is one of the mix's draws
        alone = SelfBlendSampler(photos, record, still, forgery=edit, fixed_seed=5)
        assert alone.sample(1)[1].max() > 0.5
    mixed = SelfBlendSampler(photos, record, still, rendered_share=1.0, fixed_seed=5)
    selfblend = SelfBlendSampler(photos, record, still, fixed_seed=5)
    fakes = [mixed.sample(2 * k + 1) for k in range(6)]
    assert all(alpha.max() > 0.5 for _, alpha in fakes)  # every fake has its region
    assert not any(np.array_equal(f, selfblend.sample(2 * k + 1)[0]) for k, (f, _) in enumerate(fakes))


def test_a_donor_is_as_grey_as_the_photo_it_goes_into(two_people, tmp_path):
    from localize.inference.preprocess import Preprocessing
    from mask_gen.synth.selfblend.degrade import DegradeConfig
    from mask_gen.synth.selfblend.sampler import SelfBlendSampler

    grey = tmp_path / "g.png"
    Image.fromarray(np.repeat(skimage.data.astronaut()[..., :1], 3, axis=2)).save(grey)
    people = [*two_people, replace(two_people[0], path=grey, person="Person g")]
    sampler = SelfBlendSampler(people, Preprocessing(input_size=(64, 64)), DegradeConfig(), donor_share=1.0)
    rng = np.random.default_rng(0)
    donors = [sampler._donor(0, rng) for _ in range(400)]  # colour a: colour b, grey g only when 8 draws
    assert set(donors) <= {1, 2} and donors.count(2) <= 8  # in a row miss b (1 in 256)
    assert {sampler._donor(2, rng) for _ in range(40)} <= {0, 1}  # grey g has no grey donor: any other
    fake, alpha = sampler.sample(1)  # SBI's weakest blend ratio is 0.25: the mask's peak is never below
    assert alpha.max() > 0.2 and fake.shape == (64, 64, 3)


def test_synth_writes_donor_swaps_named_as_such(faces, tmp_path):
    import json

    from localize.cli.main import main
    from mask_gen.writer import read_manifest

    out = tmp_path / "swap"
    args = ["synth", str(out), "--self-blend", str(faces), "--input-size", "64", "--val-fraction", "0.3"]
    assert main([*args, "--forgery", "donor_poisson"]) == 0
    assert {r.method for r in read_manifest(out)} == {"real", "DonorSwap"}
    assert json.loads((out / "dataset.json").read_text())["source"]["forgery"] == "donor_poisson"


@pytest.mark.slow
def test_the_adapt_config_fine_tunes_the_bundled_default_on_your_faces(faces, tmp_path):
    from localize.cli.main import main
    from localize.inference.bundle import load_bundle
    from localize.inference.localizer import default_bundle_path

    config = Path(__file__).resolve().parents[2] / "configs" / "sbi_adapt.yaml"
    args = ["train", "fit", "--config", str(config), "--data.init_args.face_dir", str(faces)]
    args += ["--data.init_args.val_fraction", "0.3", "--data.init_args.batch_size", "2"]
    args += ["--trainer.max_steps", "2", "--trainer.limit_val_batches", "1", "--trainer.enable_progress_bar"]
    args += ["false", "--trainer.default_root_dir", str(tmp_path), "--trainer.logger.init_args.save_dir"]
    args += [str(tmp_path)]
    assert main(args) == 0
    last = next(tmp_path.glob("lightning_logs/version_*/checkpoints/last.ckpt"))
    assert main(["export", str(last), "--out", str(tmp_path / "mine")]) == 0
    mine, default = load_bundle(tmp_path / "mine.json"), load_bundle(default_bundle_path())
    assert mine.preprocessing == default.preprocessing  # crops made as the default makes them
    ours, theirs = mine.model.state_dict(), default.model.state_dict()
    assert ours.keys() == theirs.keys()
    # two small steps from the default's weights (a model from ImageNet alone differs everywhere)
    head = "segmentation_head.0.weight"
    torch.testing.assert_close(ours[head].float(), theirs[head].float(), atol=0.01, rtol=0.05)
    assert max(float((ours[k].float() - theirs[k].float()).abs().max()) for k in ours) < 0.1


@pytest.fixture(scope="module")
def forgeries(faces, tmp_path_factory) -> Path:
    """A mask-gen folder standing for real forgeries one may choose on: self-blends at 96 px, seed 7."""
    from localize.cli.main import main

    out = tmp_path_factory.mktemp("forgeries") / "set"
    args = ["synth", str(out), "--self-blend", str(faces), "--splits", "train,val", "--input-size", "96"]
    assert main(args + ["--val-fraction", "0.5", "--seed", "7"]) == 0
    return out


def test_real_forgeries_are_validated_beside_the_self_blends_under_their_own_names(faces, forgeries):
    import pytorch_lightning as pl
    from torchmetrics.functional.classification import binary_auroc

    from train.modules import SegmentationModule

    module = SelfBlendDataModule(
        str(faces), input_size=64, val_fraction=0.3, batch_size=4, model="unet", val_forgeries=str(forgeries)
    )
    module.setup("fit")
    checked = module.forgeries
    assert len(checked) == sum(row.split == "val" for row in read_manifest(forgeries))
    x, mask, label = checked[1]
    assert x.shape == (3, 64, 64) and mask.shape == (1, 64, 64)  # 96 px crops resized to the model's
    assert bool(mask.any()) == bool(label) and 0 < float(mask.mean()) < 1
    torch.manual_seed(0)
    model = SegmentationModule(model="unet", model_args={"base_features": 4, "depth": 3})
    quiet = {"logger": False, "enable_checkpointing": False, "enable_progress_bar": False}
    trainer = pl.Trainer(**quiet)
    trainer.validate(model, datamodule=module, verbose=False)
    logged = trainer.callback_metrics
    model.eval()  # as validation ran it
    with torch.no_grad():
        batch = torch.stack([checked[i][0] for i in range(len(checked))])
        peaks = torch.sigmoid(model(batch)).amax(dim=(1, 2, 3))
    labels = torch.stack([checked[i][2] for i in range(len(checked))]).long()
    expected = float(binary_auroc(peaks, labels))
    assert float(logged["val_forgeries_frame_auc"]) == pytest.approx(expected, abs=1e-6)
    assert {"val_frame_auc", "val_dice", "val_forgeries_dice", "val_forgeries_loss"} <= set(logged)
    plain = SelfBlendDataModule(str(faces), input_size=64, val_fraction=0.3, batch_size=4, model="unet")
    trainer = pl.Trainer(**quiet)
    trainer.validate(model, datamodule=plain, verbose=False)  # without them: the old names only
    assert float(trainer.callback_metrics["val_frame_auc"]) == pytest.approx(float(logged["val_frame_auc"]))
    assert not any(name.startswith("val_forgeries") for name in trainer.callback_metrics)


def test_a_classifier_scores_real_forgeries_under_their_own_names_too(faces, forgeries):
    import pytorch_lightning as pl
    from torchmetrics.functional.classification import binary_auroc

    from train.modules import ClassifierModule

    module = SelfBlendDataModule(
        str(faces),
        input_size=256,
        val_fraction=0.3,
        batch_size=4,
        model="meso4",
        val_forgeries=str(forgeries),
    )
    module.setup("fit")
    torch.manual_seed(0)
    model = ClassifierModule(model="meso4")
    trainer = pl.Trainer(logger=False, enable_checkpointing=False, enable_progress_bar=False)
    trainer.validate(model, datamodule=module, verbose=False)
    model.eval()
    checked = module.forgeries
    with torch.no_grad():
        scores = torch.sigmoid(model(torch.stack([checked[i][0] for i in range(len(checked))])))
    labels = torch.stack([checked[i][2] for i in range(len(checked))]).long()
    logged = trainer.callback_metrics
    assert float(logged["val_forgeries_auc"]) == pytest.approx(float(binary_auroc(scores, labels)), abs=1e-6)
    assert {"val_auc", "val_f1", "val_forgeries_f1", "val_forgeries_loss"} <= set(logged)


def test_real_forgeries_are_normalised_as_the_model_is(faces, forgeries):
    import cv2

    from localize.media.images import read_image

    module = SelfBlendDataModule(
        str(faces),
        input_size=64,
        val_fraction=0.3,
        model="smp:Unet:mobilenet_v2",
        val_forgeries=str(forgeries),
    )
    module.setup("fit")
    row = module.forgeries.rows[0]
    small = cv2.resize(read_image(forgeries / row.image), (64, 64), interpolation=cv2.INTER_AREA)
    expected = module.record.normalize(small[None])[0]  # ImageNet mean and std, as the encoder wants
    np.testing.assert_allclose(module.forgeries[0][0].numpy(), expected, atol=1e-5)


def test_real_forgeries_cropped_otherwise_or_one_sided_are_refused_before_training(
    faces, forgeries, tmp_path
):
    from localize.cli.main import main

    wide = tmp_path / "wide"
    args = ["synth", str(wide), "--self-blend", str(faces), "--splits", "val", "--input-size", "64"]
    assert main(args + ["--val-fraction", "0.5", "--margin", "1.6"]) == 0
    for folder, says in ((wide, "margin 1.6"), (tmp_path, "no manifest.csv")):
        module = SelfBlendDataModule(str(faces), input_size=64, val_fraction=0.3, val_forgeries=str(folder))
        with pytest.raises(ConfigError, match=says):
            module.setup("fit")
    with pytest.raises(DatasetError, match="the train split"):  # a split the folder lacks
        SelfBlendDataModule(
            str(faces), val_fraction=0.3, val_forgeries=str(wide), val_forgeries_split="train", margin=1.6
        ).setup("fit")
    manifest = wide / "manifest.csv"
    header, *lines = manifest.read_text().splitlines()
    label = header.split(",").index("label")
    manifest.write_text(
        "\n".join([header] + [line for line in lines if line.split(",")[label] == "0"]) + "\n"
    )
    with pytest.raises(DatasetError, match="needs real and fake crops"):  # no AUC from one class
        SelfBlendDataModule(str(faces), val_fraction=0.3, val_forgeries=str(wide), margin=1.6).setup("fit")


@pytest.mark.slow
def test_the_real_val_config_keeps_the_checkpoints_that_find_real_forgeries_best(
    faces, forgeries, tmp_path, capsys
):
    from localize.cli.main import main

    config = Path(__file__).resolve().parents[2] / "configs" / "sbi_real_val.yaml"
    args = ["train", "fit", "--config", str(config), "--data.init_args.face_dir", str(faces)]
    args += ["--data.init_args.val_fraction", "0.3", "--data.init_args.batch_size", "2"]
    args += ["--data.init_args.input_size", "64", "--model.init_args.encoder_weights", "null"]
    args += [
        "--trainer.max_steps",
        "2",
        "--trainer.limit_train_batches",
        "2",
        "--trainer.limit_val_batches",
        "1",
    ]
    args += ["--trainer.enable_progress_bar", "false", "--trainer.default_root_dir", str(tmp_path)]
    args += ["--trainer.logger.init_args.save_dir", str(tmp_path)]
    assert main(args) == 2  # no folder of real forgeries: refused before the first step
    assert "monitors val_forgeries_frame_auc" in capsys.readouterr().err
    assert not list(tmp_path.glob("lightning_logs/*/checkpoints/*.ckpt"))
    assert main(args + ["--data.init_args.val_forgeries", str(forgeries)]) == 0
    kept = [p.name for p in tmp_path.glob("lightning_logs/version_*/checkpoints/*.ckpt")]
    assert any(name.startswith("step=") and "val_forgeries_frame_auc=" in name for name in kept), kept


def _photos(stills: int, frames: int, person: str) -> list:
    """FacePhoto records (never read) for draw_weights: `stills` photos, then `frames` video frames."""
    from mask_gen.synth.selfblend.portraits import FacePhoto

    marks = tuple(float(v) for v in LANDMARKS.split())
    return [
        FacePhoto(Path(f"{person}{k}.png"), person, (0, 0, 10, 10), marks, k >= stills)
        for k in range(stills + frames)
    ]


def test_each_folder_and_its_video_frames_get_the_share_of_draws_the_config_declares():
    from train.self_blend_data import draw_weights

    mixed, stills = _photos(3, 6, "a"), _photos(4, 0, "b")
    weights = draw_weights([mixed, stills], [0.6, 0.4], video_share=0.25)
    assert len(weights) == 2 * (9 + 4)  # each photo's real and fake item
    weights = weights / weights.sum()
    first = weights[: 2 * 9]
    assert float(first.sum()) == pytest.approx(0.6)  # the folder's share, whatever its size
    frames = [w for photo, w in zip(mixed, first[::2], strict=True) if photo.is_video_frame]
    assert 2 * float(sum(frames)) == pytest.approx(0.6 * 0.25)  # the frames' share within it
    plain = draw_weights([mixed, stills], [1, 1], video_share=None)  # as listed: every photo alike within
    assert torch.allclose(plain[: 2 * 9], plain[0].expand(18))
    with pytest.raises(ConfigError, match="face_weights"):
        draw_weights([mixed], [0], None)
    with pytest.raises(ConfigError, match="video_share"):
        draw_weights([mixed], [1], 1.5)


def test_two_face_folders_each_hold_out_their_own_people_and_train_drawn_by_weight(faces, tmp_path):
    import shutil

    from torch.utils.data import WeightedRandomSampler

    second = tmp_path / "second"
    shutil.copytree(faces, second)
    module = SelfBlendDataModule(
        [str(faces), str(second)],
        input_size=64,
        val_fraction=[0.3, 0.5],
        val_photos=[None, 2],
        face_weights=[3, 1],
        model="unet",
    )
    module.setup("fit")
    alone = SelfBlendDataModule(str(faces), input_size=64, val_fraction=0.3, model="unet")
    alone.setup("fit")
    val_from = [p.path.parent for p in module.splits["val"]]
    assert val_from.count(faces) == len(alone.splits["val"]) and val_from.count(second) == 2  # the cap
    assert len(module.splits["train"]) == len(alone.splits["train"]) + (12 - 6)
    assert isinstance(module.train_dataloader().sampler, WeightedRandomSampler)
    first = 2 * len(alone.splits["train"])
    assert float(module.train_weights[:first].sum() / module.train_weights.sum()) == pytest.approx(0.75)
    with pytest.raises(ConfigError, match="one value per face folder"):
        SelfBlendDataModule([str(faces), str(second)], val_fraction=[0.3], model="unet")


def test_validation_images_follow_val_degrade_when_given(faces):
    from mask_gen.synth.selfblend.degrade import DegradeConfig

    hard = DegradeConfig(footage_compress=1.0, defocus=1.0)

    def val_image(**kwargs):
        module = SelfBlendDataModule(str(faces), input_size=64, val_fraction=0.3, model="unet", **kwargs)
        module.setup("fit")
        return module.dataset("val")[1][0]

    assert torch.equal(val_image(val_degrade=hard), val_image(degrade=hard))  # arm A's images, arm B's
    assert not torch.equal(val_image(val_degrade=hard), val_image())  # training's degradations
    assert torch.equal(val_image(degrade=hard, val_degrade=DegradeConfig()), val_image())


def test_video_face_shrinks_the_photo_before_the_blend_and_keeps_the_mask_on_the_face(tmp_path):
    """A portrait with a 360 px face shrunk to a 100-400 px face box first: the crops are still the face
    at the model's input, and the blend mask still sits on it (landmarks and box moved with the pixels)."""
    import cv2

    from localize.inference.preprocess import Preprocessing
    from mask_gen.synth.selfblend.degrade import DegradeConfig
    from mask_gen.synth.selfblend.portraits import FacePhoto
    from mask_gen.synth.selfblend.sampler import SelfBlendSampler

    big = cv2.resize(skimage.data.astronaut(), (2048, 2048), interpolation=cv2.INTER_CUBIC)
    big = np.clip(big.astype(np.int16) + np.random.default_rng(0).integers(-12, 13, big.shape), 0, 255)
    Image.fromarray(big.astype(np.uint8)).save(tmp_path / "big.png")
    marks = tuple(4 * float(v) for v in LANDMARKS.split())
    photos = [FacePhoto(tmp_path / "big.png", "one", (712, 252, 1072, 704), marks)]
    record = Preprocessing(crop="face", margin=1.3, detector="yunet", input_size=(96, 96))

    def item(video_face: float, index: int):
        sampler = SelfBlendSampler(photos, record, DegradeConfig(video_face=video_face), fixed_seed=0)
        return sampler.sample(index)

    (full, _), (small, _) = item(0.0, 0), item(1.0, 0)
    assert full.shape == small.shape == (96, 96, 3) and not np.array_equal(full, small)
    (_, mask_full), (_, mask_small) = item(0.0, 1), item(1.0, 1)
    for mask in (mask_full, mask_small):
        ys, xs = np.nonzero(mask > 0.5)
        assert 0.1 < float((mask > 0.5).mean()) < 0.8
        assert abs(xs.mean() - 48) < 16 and abs(ys.mean() - 48) < 20  # centred on the crop's face
