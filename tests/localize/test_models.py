"""Model registry, U-Net presets, MesoNet (architecture and the original Keras weights), zoo, bundles."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from localize.common.errors import BundleError, ConfigError, MediaError
from localize.inference.bundle import load_bundle, save_bundle
from localize.models import build_model, list_models, model_spec
from localize.models.keras import load_keras_mesonet

MESONET = "DariusAf__MesoNet"


def parameters(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def test_registry_lists_our_models_and_refuses_unknown_names():
    assert {"unet", "unet_v1", "meso4", "mesoinception4"} <= set(list_models())
    with pytest.raises(ConfigError, match="unknown model 'unet3'"):
        build_model("unet3")
    with pytest.raises(ConfigError, match="no architecture"):
        build_model("smp:NoSuchNet:resnet18")
    with pytest.raises(ConfigError, match="timm has no model"):
        build_model("timm:no_such_model")
    with pytest.raises(ConfigError, match="unet"):
        build_model("unet", no_such_argument=1)


@pytest.mark.parametrize(("name", "base", "depth"), [("unet", 32, 5), ("unet_v1", 16, 6)])
def test_unet_presets(name, base, depth):
    model = build_model(name).eval()
    assert model.down[0][0].out_channels == base and len(model.down) == depth
    assert model.down[-1][0].out_channels == base * 2 ** (depth - 1)
    with torch.no_grad():
        assert model(torch.rand(2, 3, 256, 256)).shape == (2, 1, 256, 256)
        assert model(torch.rand(1, 3, 200, 300)).shape == (1, 1, 200, 300)  # padded and cropped back
    assert parameters(model) == parameters(build_model(name))  # deterministic structure


def test_unet_options_and_strict_sizes():
    small = build_model("unet", base_features=4, depth=3, norm="none", upsampling="nearest", pad=False)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in small.modules())
    assert small(torch.rand(1, 3, 32, 32)).shape == (1, 1, 32, 32)
    with pytest.raises(ConfigError, match="multiples of 4"):
        small(torch.rand(1, 3, 30, 32))
    with pytest.raises(ConfigError, match="norm"):
        build_model("unet", norm="weird")


@pytest.mark.parametrize(("name", "count"), [("meso4", 27_977), ("mesoinception4", 28_615)])
def test_mesonet_parameter_counts_are_the_papers(name, count):
    model = build_model(name).eval()
    assert parameters(model) == count
    assert model(torch.rand(3, 3, 256, 256)).shape == (3,)
    with pytest.raises(ConfigError, match="256x256"):
        model(torch.rand(1, 3, 128, 128))


def _mesonet_inputs(shared):
    folder = shared / MESONET / "test_images"
    names = ["df/df00204.jpg", "df/df01254.jpg", "real/real00240.jpg", "real/real00772.jpg"]
    arrays = [
        np.asarray(Image.open(folder / n).convert("RGB").resize((256, 256), Image.NEAREST), np.float32) / 255
        for n in names
    ]
    return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2)


# P(REAL) from PROVENANCE.md's independent NumPy forward pass (LeakyReLU head, nearest resize)
REFERENCE = {
    "Meso4_DF": [0.0414, 0.0487, 0.9897, 0.9977],
    "Meso4_F2F": [0.8312, 0.6411, 0.8810, 0.9524],
    "MesoInception_DF": [0.0262, 0.0010, 1.0000, 1.0000],
    "MesoInception_F2F": [0.9987, 1.0000, 1.0000, 0.9908],
}


@pytest.mark.parametrize("weights", sorted(REFERENCE))
def test_keras_mesonet_port_reproduces_the_original(shared, weights):
    model = load_keras_mesonet(shared / MESONET / "weights" / f"{weights}.h5")
    with torch.no_grad():
        p_fake = torch.sigmoid(model(_mesonet_inputs(shared))).numpy()
    np.testing.assert_allclose(1 - p_fake, REFERENCE[weights], atol=6e-4)


def test_keras_port_refuses_the_wrong_architecture(shared, tmp_path):
    from localize.models.keras import keras_mesonet_state_dict

    with pytest.raises(ConfigError, match="wrong architecture"):
        keras_mesonet_state_dict(shared / MESONET / "weights" / "Meso4_DF.h5", build_model("mesoinception4"))


@pytest.mark.parametrize(
    ("name", "shape"),
    [("smp:Unet:resnet34", (1, 1, 64, 64)), ("smp:FPN:resnet18", (1, 1, 64, 64)), ("timm:resnet50", (1,))],
)
def test_zoo_builds_without_downloading(name, shape):
    model = build_model(name).eval()
    with torch.no_grad():
        assert model(torch.rand(1, 3, 64, 64)).shape == shape
    assert model_spec(name).task == ("classification" if len(shape) == 1 else "segmentation")


def test_zoo_loads_a_local_encoder_file(tmp_path):
    from safetensors.torch import save_file

    donor = build_model("smp:Unet:resnet18")
    save_file(
        {k: v.contiguous() for k, v in donor.encoder.state_dict().items()}, str(tmp_path / "enc.safetensors")
    )
    model = build_model("smp:Unet:resnet18", encoder_weights=str(tmp_path / "enc.safetensors"))
    assert torch.equal(model.encoder.conv1.weight, donor.encoder.conv1.weight)


def test_bundle_roundtrip_gives_identical_outputs(tmp_path):
    model = build_model("unet", base_features=4, depth=3).eval()
    with torch.no_grad():
        model.head.bias.fill_(0.3)
    path = save_bundle(
        tmp_path / "tiny", model, "unet", {"base_features": 4, "depth": 3}, thresholds={"confidence": 0.9}
    )
    bundle = load_bundle(path)
    x = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.equal(bundle.model(x), model(x))
    assert (
        "confidence" not in bundle.thresholds
        and bundle.thresholds["threshold"] == 0.9
        and bundle.thresholds["min_region_px"] == 100
    )
    assert load_bundle(tmp_path / "tiny.safetensors").meta["model"] == "unet"


def test_bundle_half_precision_is_close(tmp_path):
    model = build_model("meso4").eval()
    bundle = load_bundle(save_bundle(tmp_path / "m", model, "meso4", half=True))
    x = torch.rand(2, 3, 256, 256)
    with torch.no_grad():
        torch.testing.assert_close(bundle.model(x), model(x), atol=2e-2, rtol=1e-2)


def test_bundle_disagreements_are_one_clear_error(tmp_path):
    path = save_bundle(
        tmp_path / "b",
        build_model("unet", base_features=4, depth=3),
        "unet",
        {"base_features": 4, "depth": 3},
    )
    meta = json.loads(path.read_text())
    meta["arguments"]["depth"] = 4
    meta["weights"].pop("sha256")
    path.write_text(json.dumps(meta))
    with pytest.raises(BundleError, match="json \\(unet\\) and weights disagree"):
        load_bundle(path)
    (tmp_path / "b.safetensors").write_bytes(b"garbage")
    meta["weights"]["sha256"] = "0" * 64
    path.write_text(json.dumps(meta))
    with pytest.raises(BundleError, match="checksum"):
        load_bundle(path)
    with pytest.raises(BundleError, match="not found"):
        load_bundle(tmp_path / "missing")


def test_timm_loads_a_local_weights_file_but_never_pickles(tmp_path):
    donor = build_model("timm:resnet18")
    torch.save(donor.net.state_dict(), tmp_path / "resnet18.pth")
    model = build_model("timm:resnet18", weights=str(tmp_path / "resnet18.pth"))
    assert torch.equal(model.net.conv1.weight, donor.net.conv1.weight)
    torch.save({"state_dict": donor.net.state_dict(), "evil": object()}, tmp_path / "pickled.pth")
    with pytest.raises(MediaError, match="not a readable weights file") as refused:
        build_model("timm:resnet18", weights=str(tmp_path / "pickled.pth"))
    assert "objects other than weights" in str(refused.value) and "weights_only" not in str(refused.value)


def test_keras_weights_convert_once_to_a_bundle(shared, tmp_path):
    from localize.cli.main import main

    h5 = shared / MESONET / "weights" / "MesoInception_DF.h5"
    assert main(["export", str(h5), "--out", str(tmp_path / "meso")]) == 0
    bundle = load_bundle(tmp_path / "meso")
    assert bundle.meta["model"] == "mesoinception4"
    with torch.no_grad():
        p_fake = torch.sigmoid(bundle.model(_mesonet_inputs(shared))).numpy()
    np.testing.assert_allclose(1 - p_fake, REFERENCE["MesoInception_DF"], atol=6e-4)


def test_malformed_keras_files_are_one_line(tmp_path):
    import h5py

    from localize.common.errors import ForgelocError
    from localize.models.keras import load_keras_mesonet

    cases = {}
    with h5py.File(tmp_path / "empty.h5", "w"):
        cases["empty.h5"] = "expected layout"
    with h5py.File(tmp_path / "missing.h5", "w") as handle:
        handle.attrs["layer_names"] = [b"conv2d_1"]
        group = handle.create_group("conv2d_1")
        group.attrs["weight_names"] = [b"conv2d_1/kernel:0"]
        group["conv2d_1/kernel:0"] = np.zeros((3, 3, 3, 8), np.float32)
        cases["missing.h5"] = "wrong architecture"
    (tmp_path / "text.h5").write_text("not hdf5")
    cases["text.h5"] = "not a readable Keras h5"
    for name, words in cases.items():
        with pytest.raises(ForgelocError, match=words) as error:
            load_keras_mesonet(tmp_path / name)
        assert name in str(error.value)
