"""The README's Dice figures: make_mask against known masks on every calibration source."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mask_gen import MaskConfig
from mask_gen.synth.calibration import (
    degraded,
    dice_by_kind,
    distance_maps,
    example_clips,
    maps_dice,
    maps_false_area,
    mean_dice,
    original_clips,
    portrait_clips,
    synthetic_clips,
)
from mask_gen.synth.selfblend.portrait_forgeries import EDITS

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
SEED_PROCEDURE = MaskConfig(threshold=8.0, grow=None, fill_holes=False)  # seed 003's defaults


@pytest.fixture(scope="module")
def clips():
    return synthetic_clips(8, seed=5)  # not a draw the benchmark chose on (seeds 0 and 11)


@pytest.fixture(scope="module")
def portraits():
    if not (SHARED / "faces" / "index.csv").is_file():
        pytest.skip("../shared/data/faces is not present")
    return portrait_clips(SHARED / "faces", 9, seed=5)


@pytest.mark.slow
@pytest.mark.parametrize("condition", ["none", "jpeg90", "crf23"])
def test_default_meets_the_dice_target_on_the_projects_clips(clips, condition):
    assert mean_dice(degraded(clips, condition)) >= 0.85


@pytest.mark.slow
@pytest.mark.parametrize("condition", ["jpeg90", "crf23"])
def test_default_meets_the_dice_target_on_the_second_family(portraits, condition):
    assert mean_dice(degraded(portraits, condition)) >= 0.85


@pytest.mark.slow
def test_hysteresis_beats_the_seeds_single_cut_under_heavy_compression(clips):
    maps = distance_maps(degraded(clips, "crf40"))
    assert maps_dice(maps) > maps_dice(maps, SEED_PROCEDURE) + 0.01
    assert maps_dice(maps, MaskConfig(threshold="auto", grow=None)) > maps_dice(maps, SEED_PROCEDURE) + 0.05


def test_default_beats_the_seed_procedure_on_ffpp_official_masks(shared):
    """FF++'s README fakes: the faint inside of a Poisson blend and NeuralTextures' re-rendered mouth
    are what the seed's single cut misses and the grown regions recover. Measured: 0.799 (Deepfakes
    0.900, NeuralTextures 0.640, DFD 0.856); the default growing 2 sigmas scored 0.818 but marked 0.7 %
    of unchanged FF++ frames after a re-upload (docs/guide/mask_procedure.md)."""
    examples = example_clips(shared / "ondyari__FaceForensics" / "images")
    now, seed = dice_by_kind(examples), dice_by_kind(examples, SEED_PROCEDURE)
    assert list(now) == ["Deepfakes", "NeuralTextures", "DFD"]
    assert np.mean(list(now.values())) >= 0.79 and min(now.values()) >= 0.6
    assert np.mean(list(now.values())) > np.mean(list(seed.values())) + 0.1


def test_second_family_has_every_edit_and_exact_masks_inside_the_frame(portraits):
    assert {clip.kind for clip in portraits} == set(EDITS)
    for clip in portraits:
        real, fake, truth = clip.real[0], clip.fake[0], clip.masks[0]
        assert real.shape == fake.shape == (288, 384, 3) and truth.shape == (288, 384)
        assert 0.005 < truth.mean() < 0.25  # a face in a frame, not the frame
        changed = np.abs(real.astype(int) - fake.astype(int)).max(axis=2) > 0
        assert changed[truth].mean() > 0.8 and changed[~truth].mean() < 0.1


def test_a_datasets_mask_videos_are_a_source_per_method_and_compression(synthetic):
    """FF++-layout mask videos (synth writes them losslessly): full frames with their masks, grouped by
    method and compression, and the difference masks agree less at c40 than at c23."""
    from mask_gen.synth.calibration import dataset_mask_clips

    clips = dataset_mask_clips(synthetic["ffpp"], frames=3)
    kinds = {clip.kind for clip in clips}
    assert kinds and all(kind.endswith((" c23", " c40")) for kind in kinds)
    assert all(len(clip.real) == len(clip.masks) == 3 and clip.masks[0].any() for clip in clips)
    by_compression = {c: mean_dice([k for k in clips if k.kind.endswith(c)]) for c in ("c23", "c40")}
    assert by_compression["c23"] >= 0.85 and by_compression["c40"] < by_compression["c23"]


def test_second_familys_masks_sit_on_the_staged_face(portraits):
    """The portrait is pasted into the frame with its landmarks moved along: YuNet finds a face on the
    real frame, about a fifth of the frame wide, around the centre of the exact mask."""
    from localize.faces.detectors import build_detector

    detector = build_detector("yunet")
    for clip in portraits:
        real, truth = clip.real[0], clip.masks[0]
        ys, xs = np.nonzero(truth)
        cx, cy = xs.mean(), ys.mean()
        boxes = detector.detect(real)
        assert any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in boxes), clip.kind
        x0, _, x1, _ = boxes[0]
        assert 0.08 < (x1 - x0) / real.shape[1] < 0.4


def test_false_area_counts_only_what_lies_outside_the_true_mask():
    distance = np.zeros((100, 100), np.float32)
    distance[10:40, 10:40] = 100.0  # a 900 px change, far above every cut
    empty, covered = np.zeros((100, 100), bool), np.zeros((100, 100), bool)
    covered[5:45, 5:45] = True
    assert maps_false_area([(distance, empty)]) == pytest.approx(0.09)
    assert maps_false_area([(distance, covered)]) == 0.0
    assert maps_false_area([(np.zeros_like(distance), empty)]) == 0.0


@pytest.mark.slow
def test_default_marks_little_of_real_ffpp_frames_against_their_own_reupload():
    """The calibration's constraint on footage one may choose on: unchanged FF++ c40 originals against
    their own H.264 CRF 23 re-encode; the seed's cut marks three times as much."""
    root = SHARED / "validation" / "ffpp_c40"
    if not root.is_dir():
        pytest.skip("../shared/data/validation/ffpp_c40 is not present")
    maps = distance_maps(original_clips(root, "crf23", frames=4))
    assert maps_false_area(maps) <= 0.005
    assert maps_false_area(maps, SEED_PROCEDURE) > 3 * maps_false_area(maps)
