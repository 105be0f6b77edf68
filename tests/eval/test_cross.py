"""The cross-dataset run: every model trained on every dataset and tested on each, resumable, and its
config checked before anything is trained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from localize.cli.main import main
from tests.conftest import write_pairs
from tests.train.test_training import TINY

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


@pytest.fixture(scope="module")
def flipped_dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("flipped")
    csv = write_pairs(root / "pairs", 64, flip=True)
    assert main(["mask-gen", str(csv), "--out", str(root / "ds"), "--crop", "none", "--size", "64"]) == 0
    return root / "ds"


def write_config(path, datasets, models=None):
    lines = ["datasets:", *(f"  {name}: {folder}" for name, folder in datasets.items()), "models:"]
    lines += [
        f"  {name}: {config}"
        for name, config in (models or {"unet_v1": str(CONFIGS / "unet_v1.yaml")}).items()
    ]
    lines += [
        "train_args:",
        "  - --trainer.max_steps=2",
        "  - --data.batch_size=4",
        "  - --data.num_workers=0",
    ]
    lines += [f"  - '--model.init_args.model_args={TINY}'", "  - --trainer.enable_progress_bar=false"]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_matrix_of_every_train_and_test_pair_and_resume(tiny_dataset, flipped_dataset, tmp_path, capsys):
    config = write_config(tmp_path / "cross.yaml", {"upright": tiny_dataset, "flipped": flipped_dataset})
    out = tmp_path / "report"
    assert main(["eval", "--cross", str(config), "--out", str(out)]) == 0
    cross = json.loads((out / "report.json").read_text())["cross_dataset"]
    assert cross["datasets"] == ["upright", "flipped"]
    matrix = cross["matrices"]["unet_v1"]
    assert set(matrix) == {"upright", "flipped"} and all(
        set(row) == {"upright", "flipped"} for row in matrix.values()
    )
    bundles = cross["bundles"]["unet_v1"]
    # each cell is the model trained on its row's dataset evaluated on its column's (not swapped, not
    # the same model everywhere): the same Dice as evaluating that bundle on that dataset directly
    from eval.evaluate import evaluate
    from localize.inference.bundle import load_bundle

    folders = {"upright": tiny_dataset, "flipped": flipped_dataset}
    for trained, row in matrix.items():
        bundle = load_bundle(bundles[trained])
        for tested, cell in row.items():
            direct = evaluate(bundle, folders[tested], "test")["pixel"]["dice_dataset"]
            assert cell["dice"] == pytest.approx(direct)
    searched = [json.loads(Path(path).read_text())["thresholds"]["searched_on"] for path in bundles.values()]
    assert searched == [f"{tiny_dataset} (val)", f"{flipped_dataset} (val)"]
    md = (out / "report.md").read_text()
    assert "## Cross-dataset" in md and "| trained on \\ tested on | upright | flipped |" in md
    capsys.readouterr()

    # a second run reuses the finished bundles: nothing is trained again, the matrix is the same
    stamps = {path: Path(path).stat().st_mtime_ns for path in bundles.values()}
    assert main(["eval", "--cross", str(config), "--out", str(tmp_path / "again")]) == 0
    assert "Epoch" not in capsys.readouterr().err
    assert {path: Path(path).stat().st_mtime_ns for path in bundles.values()} == stamps
    again = json.loads((tmp_path / "again" / "report.json").read_text())["cross_dataset"]
    # (frame AUCs of a 2-step model rank near-tied scores, so only the Dice values are compared)
    dice = [cell["dice"] for row in matrix.values() for cell in row.values()]
    redone = [cell["dice"] for row in again["matrices"]["unet_v1"].values() for cell in row.values()]
    assert redone == pytest.approx(dice)


def test_bad_configs_are_refused_before_training(tiny_dataset, tmp_path, capsys):
    cases = [
        (write_config(tmp_path / "one.yaml", {"only": tiny_dataset}), "at least two datasets"),
        (write_config(tmp_path / "gone.yaml", {"a": tiny_dataset, "b": tmp_path / "nope"}), "dataset b"),
        (
            write_config(
                tmp_path / "model.yaml", {"a": tiny_dataset, "b": tiny_dataset}, {"x": "configs/none.yaml"}
            ),
            "training config configs/none.yaml not found",
        ),
    ]
    (tmp_path / "junk.yaml").write_text("datasets: [1, 2\n")
    cases.append((tmp_path / "junk.yaml", "not a readable YAML file"))
    for config, words in cases:
        assert main(["eval", "--cross", str(config), "--out", str(tmp_path / "r")]) == 2
        assert words in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
    assert main(["eval", "--cross", str(cases[0][0]), "--model", "m", "--out", str(tmp_path / "r")]) == 2
