"""forgeloc compare: a suspect made from a source by cutting, rescaling, mirroring and re-encoding, with
a region changed, is mapped back in time and space and its change masked; unrelated clips are refused,
an interrupted run writes nothing."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from skimage import data

from localize.cli.main import main
from localize.media.encode import write_video
from localize.media.images import write_png
from mask_gen.compare import timing
from mask_gen.compare.geometry import estimate_alignment, resize_map, warp_to_suspect

FPS = 25.0
START = 7  # the suspect begins at this source frame


def scene_clip(image: np.ndarray, count: int = 50, size: tuple[int, int] = (320, 240)) -> list[np.ndarray]:
    """Frames of a still camera on `image` with something moving through the scene along a smooth,
    non-repeating path (a bright disc), as a static shot with a moving subject looks."""
    width, height = size
    background = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    frames = []
    for t in range(count):
        frame = background.copy()
        centre = (
            int(width * (0.5 + 0.35 * np.sin(t / 7.0))),
            int(height * (0.5 + 0.35 * np.sin(t / 11.0 + 1.0))),
        )
        cv2.circle(frame, centre, 22, (250, 240, 60), -1)
        frames.append(frame)
    return frames


def changed(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The frame with a block recoloured (the 'manipulation') and its exact mask."""
    fake, mask = frame.copy(), np.zeros(frame.shape[:2], bool)
    mask[80:150, 120:210] = True
    fake[mask] = (255 - fake[mask].astype(np.int16) // 2).astype(np.uint8)
    return fake, mask


def suspect_geometry(image: np.ndarray, nearest: bool = False) -> np.ndarray:
    """Mirror, then scale by 0.75 (the suspect's known transform)."""
    flipped = np.ascontiguousarray(image[:, ::-1])
    interpolation = cv2.INTER_NEAREST if nearest else cv2.INTER_AREA
    return cv2.resize(flipped, (240, 180), interpolation=interpolation)


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    source = scene_clip(data.astronaut())
    write_video(folder / "source.mp4", source, fps=FPS, crf=18)
    fakes = [changed(frame) for frame in source[START:]]
    write_video(folder / "suspect.mp4", (suspect_geometry(f) for f, _ in fakes), fps=FPS, crf=23)
    write_png(folder / "still.png", suspect_geometry(fakes[20][0]))
    write_video(folder / "other.mp4", scene_clip(data.chelsea(), 40, (240, 180)), fps=FPS, crf=23)
    return folder, [m for _, m in fakes]


def test_the_suspect_is_mapped_back_in_time_and_space_and_its_change_masked(clips, tmp_path):
    folder, masks = clips
    out = tmp_path / "out"
    assert (
        main(
            [
                "compare",
                str(folder / "suspect.mp4"),
                str(folder / "source.mp4"),
                "--out",
                str(out),
                "--frames",
                "12",
            ]
        )
        == 0
    )
    results = json.loads((out / "results.json").read_text())
    assert results["same_footage"] and results["mirrored"] and results["rate"] == 1.0
    assert results["offset_s"] == pytest.approx(START / FPS, abs=0.5 / FPS)
    # suspect pixel (x, y) came from source pixel (319 - x / 0.75, y / 0.75), pixel centres kept
    truth = (np.diag([-1.0, 1.0, 1.0]) @ np.linalg.inv(resize_map(0.75)))[:2] + [[0, 0, 319], [0, 0, 0]]
    assert np.abs(np.array(results["transform"]) - truth).max() < 0.05 * 320
    corner = np.array(results["transform"]) @ [239, 179, 1]
    assert np.abs(corner - truth @ [239, 179, 1]).max() < 1.5
    assert len(results["frames"]) == 12
    dices = []
    for frame in results["frames"]:
        assert frame["source_index"] == frame["index"] + START  # the right source frame, exactly
        found = cv2.imread(str(out / frame["mask"]), cv2.IMREAD_GRAYSCALE)
        assert found.dtype == np.uint8 and set(np.unique(found)) <= {0, 255}
        expected = suspect_geometry(masks[frame["index"]].astype(np.uint8), nearest=True).astype(bool)
        found = found > 127
        dices.append(2 * (found & expected).sum() / (found.sum() + expected.sum()))
        assert frame["region_fraction"] == pytest.approx(found.mean(), abs=1e-5)
    assert np.mean(dices) > 0.88 and min(dices) > 0.8  # x264 on one thread codes a frame or two worse
    page = (out / "report.html").read_text()
    assert "data:image/jpeg;base64," in page and "suspect.mp4" in page
    assert not list(tmp_path.glob(".out.partial-*"))


def test_an_image_suspect_is_matched_to_the_source_frame_it_shows(clips, tmp_path):
    folder, _ = clips
    out = tmp_path / "still"
    assert main(["compare", str(folder / "still.png"), str(folder / "source.mp4"), "--out", str(out)]) == 0
    (frame,) = json.loads((out / "results.json").read_text())["frames"]
    assert frame["source_index"] == START + 20 and frame["region_fraction"] > 0.05


def test_unrelated_clips_are_refused_with_exit_code_3_and_nothing_written(clips, tmp_path, capsys):
    folder, _ = clips
    out = tmp_path / "unrelated"
    assert main(["compare", str(folder / "other.mp4"), str(folder / "source.mp4"), "--out", str(out)]) == 3
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "not the same footage" in error[0]
    assert not out.exists() and not list(tmp_path.glob(".unrelated.partial-*"))


def test_an_interrupted_run_leaves_the_earlier_results_as_they_were(clips, tmp_path, monkeypatch, capsys):
    folder, _ = clips
    out = tmp_path / "out"
    args = [
        "compare",
        str(folder / "suspect.mp4"),
        str(folder / "source.mp4"),
        "--out",
        str(out),
        "--frames",
        "4",
    ]
    assert main(args) == 0
    before = (out / "results.json").read_bytes()
    import mask_gen.compare.pairing as pairing

    calls = []

    def interrupted(*given, **named):
        calls.append(1)
        if len(calls) > 2:
            raise KeyboardInterrupt
        return original(*given, **named)

    original = pairing.frame_change
    monkeypatch.setattr(pairing, "frame_change", interrupted)
    assert main(args[:-1] + ["8"]) == 130
    assert (out / "results.json").read_bytes() == before
    assert len(list((out / "masks").glob("*.png"))) == 4
    assert not list(tmp_path.glob(".out.partial-*"))


@pytest.mark.parametrize("missing", ["suspect", "source"])
def test_a_missing_input_is_one_line_naming_it(clips, tmp_path, capsys, missing):
    folder, _ = clips
    paths = {"suspect": str(folder / "suspect.mp4"), "source": str(folder / "source.mp4")}
    paths[missing] = str(tmp_path / "gone.mp4")
    assert main(["compare", paths["suspect"], paths["source"], "--out", str(tmp_path / "o")]) != 0
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "gone.mp4" in error[0]


def test_resize_map_follows_cv2_resize_pixel_centres():
    image = np.zeros((40, 60), np.float32)
    image[10, 20] = 1.0
    small = cv2.resize(image, (30, 20), interpolation=cv2.INTER_LINEAR)
    x, y, _ = resize_map(0.5) @ [20, 10, 1]
    assert np.unravel_index(np.argmax(small), small.shape) in {
        (int(np.floor(y)), int(np.floor(x))),
        (int(np.ceil(y)), int(np.ceil(x))),
    }
    assert (x, y) == (9.75, 4.75)


def test_a_known_similarity_with_a_mirror_is_recovered_and_warps_the_source_onto_the_suspect():
    source = data.astronaut()[:300, :400].copy()
    angle, scale = np.deg2rad(4.0), 0.8
    rotation = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    forward = np.hstack([rotation, [[30.0], [12.0]]])  # source -> suspect (before the mirror)
    suspect = cv2.warpAffine(source, forward, (320, 240), flags=cv2.INTER_AREA)[:, ::-1].copy()
    fit = estimate_alignment(suspect, source)
    assert fit is not None and fit.mirrored and fit.inliers > 50
    warped, valid = warp_to_suspect(source, fit.transform, (320, 240), border=3)
    difference = np.abs(warped.astype(int) - suspect.astype(int)).mean(axis=2)[valid]
    assert valid.mean() > 0.5 and np.median(difference) < 4


def test_the_time_line_is_found_at_another_rate():
    """A table whose minima lie on t_source = 1.2 t + 0.4 (30 fps source, 25 fps suspect)."""
    suspect_times, source_times = np.arange(40) / 25.0, np.arange(90) / 30.0
    rng = np.random.default_rng(0)
    table = rng.uniform(8, 10, (40, 90)).astype(np.float32)
    on_line = timing.nearest_frames(source_times, 1.2 * suspect_times + 0.4)
    table[np.arange(40), on_line] = rng.uniform(1, 2, 40)
    mapping = timing.map_time(table, suspect_times, source_times)
    assert mapping.rate == pytest.approx(1.2) and mapping.offset_s == pytest.approx(0.4, abs=1 / 60)
    assert mapping.confidence > 0.9


def test_a_downscaled_suspect_gets_the_procedure_at_its_own_scale():
    from mask_gen.compare.changes import at_scale
    from mask_gen.core import MaskConfig

    config = MaskConfig()
    assert at_scale(config, 1.0) == config and at_scale(config, 0.8) == config  # as large or larger
    half = at_scale(config, 2.0)  # two source pixels per suspect pixel
    assert (half.blur_kernel, half.min_region_px, half.min_seed_px) == (3, 25, 3)
    assert half.grow_ring == (2, 20)
    assert at_scale(config, 1 / 0.75).blur_kernel == 5 and at_scale(config, 1 / 0.6).blur_kernel == 3
    assert at_scale(config, 8.0).blur_kernel == 1  # never below one pixel, always odd


def test_a_panning_camera_gets_denser_key_frames_before_the_clips_are_called_unrelated(tmp_path):
    """A fast pan: the suspect's few key frames fall between the source's, showing little of what they
    show, so the sparse fit has too few inliers for this (strict) config; the denser pass finds the
    source frames showing the same view (no shift between them)."""
    from mask_gen.compare.pairing import Clip, CompareConfig, _best_fit, align_space

    images = (
        data.astronaut(),
        data.coffee(),
        data.chelsea(),
        data.rocket(),
        data.astronaut()[::-1],
    )
    strip = np.hstack([cv2.resize(image, (480, 240)) for image in images])
    frames = [np.ascontiguousarray(strip[:, 20 * t : 20 * t + 240]) for t in range(100)]
    write_video(tmp_path / "source.mp4", frames, fps=FPS, crf=18)
    write_video(tmp_path / "suspect.mp4", frames[27:33], fps=FPS, crf=23)
    suspect, source = Clip.open(tmp_path / "suspect.mp4"), Clip.open(tmp_path / "source.mp4")
    config = CompareConfig(min_inliers=100)
    sparse = _best_fit(suspect, source, config.key_frames, config)
    assert sparse is None or sparse.inliers < config.min_inliers
    found = align_space(suspect, source, config)
    assert found is not None and found.inliers >= config.min_inliers
    np.testing.assert_allclose(found.transform, [[1, 0, 0], [0, 1, 0]], atol=0.5)
