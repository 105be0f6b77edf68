"""The pair pipeline's pieces: crop-only difference maps, the crop taken from the real frame."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from localize.cli.main import main
from localize.faces.tracker import LBPCascadeDetector, crop
from localize.media.images import write_png
from mask_gen.core import difference_map
from mask_gen.pipeline import crop_distance
from mask_gen.synth.sources import bundled_photos, fit_side


@settings(max_examples=40, deadline=None)
@given(
    x0=st.integers(0, 60),
    y0=st.integers(0, 40),
    width=st.integers(1, 60),
    height=st.integers(1, 40),
    blur=st.sampled_from([1, 3, 5, 7]),
)
def test_crop_distance_equals_the_full_map_cropped(x0, y0, width, height, blur):
    rng = np.random.default_rng(x0 * 1000 + y0)
    real = rng.integers(0, 255, (80, 120, 3), dtype=np.uint8)
    fake = rng.integers(0, 255, (80, 120, 3), dtype=np.uint8)
    box = (x0, y0, min(120, x0 + width), min(80, y0 + height))
    expected = crop(difference_map(real, fake, blur), box)
    np.testing.assert_allclose(crop_distance(real, fake, box, blur), expected, rtol=1e-6)


def test_the_crop_comes_from_the_real_frame(tmp_path):
    """A fake whose face is wiped out (its detections lie elsewhere) is cropped where the real face is."""
    real = fit_side(bundled_photos()["astronaut"], 480)
    detector = LBPCascadeDetector()
    x0, y0, x1, y1 = detector.detect(real)[0]
    fake = real.copy()
    fake[y0:y1, x0:x1] = 128
    others = detector.detect(fake)
    assert all(b[0] >= x1 or b[2] <= x0 or b[1] >= y1 or b[3] <= y0 for b in others), "precondition"
    write_png(tmp_path / "real.png", real)
    write_png(tmp_path / "fake.png", fake)
    (tmp_path / "pairs.csv").write_text("fake,real\nfake.png,real.png\n")
    out = tmp_path / "out"
    assert main(["mask-gen", str(tmp_path / "pairs.csv"), "--out", str(out)]) == 0
    with (out / "manifest.csv").open(newline="") as handle:
        rows = {row["label"]: row for row in csv.DictReader(handle)}
    box = tuple(int(v) for v in rows["1"]["box"].split())
    assert rows["0"]["box"] == rows["1"]["box"]
    assert box != (0, 0, real.shape[1], real.shape[0])
    assert box[0] <= x0 and box[1] <= y0 and box[2] >= x1 and box[3] >= y1
    assert int(rows["1"]["mask_area"]) > 0.3 * 256 * 256


def test_max_faces_crops_each_person_and_only_the_manipulated_one_gets_a_mask(tmp_path):
    """Two people (the astronaut beside her mirror image), only the right one faked, on a short video."""
    from localize.media.encode import write_video
    from mask_gen.synth.manipulations import make_image_pair

    still = fit_side(bundled_photos()["astronaut"], 320)
    two = np.concatenate([still, still[:, ::-1]], axis=1)
    right = next(box for box in LBPCascadeDetector().detect(two) if box[0] >= 320)
    pair = make_image_pair(two, np.random.default_rng(0), "self_blend", face=right)
    assert pair.mask[:, 320:].sum() > 500 and not pair.mask[:, :300].any(), "precondition"
    for name, frame in (("real", pair.real), ("fake", pair.fake)):  # the light dims a little every frame
        frames = [np.clip(frame.astype(int) - 3 * k, 0, 255).astype(np.uint8) for k in range(6)]
        write_video(tmp_path / f"{name}.mp4", frames, crf=18)
    (tmp_path / "pairs.csv").write_text("fake,real\nfake.mp4,real.mp4\n")
    for faces in (1, 2):
        out = tmp_path / f"out{faces}"
        args = ["mask-gen", str(tmp_path / "pairs.csv"), "--out", str(out), "--frames", "3", "--size", "64"]
        assert main([*args, "--max-faces", str(faces)]) == 0
        with (out / "manifest.csv").open(newline="") as handle:
            fakes = [row for row in csv.DictReader(handle) if row["label"] == "1"]
        assert len(fakes) == 3 * faces  # frames 0, 2 and 5, one sample per face
        assert sum(row["id"].endswith("-p1") for row in fakes) == 3 * (faces - 1)
        for row in fakes:
            left = int(row["box"].split()[0]) < 320
            assert (int(row["mask_area"]) == 0) == left  # only the right person was manipulated


def test_file_names_that_sanitise_alike_keep_their_own_samples(tmp_path):
    """Fakes "x y", "x_y", "x+y" (and "日本", "中国") of one real: one row each, each with its own pixels."""
    from localize.cli.main import main
    from localize.media.images import read_image, write_png
    from mask_gen.synth.manipulations import make_image_pair
    from mask_gen.synth.sources import bundled_photos, fit_side
    from mask_gen.writer import read_manifest

    folder = tmp_path / "pairs"
    folder.mkdir()
    still = fit_side(bundled_photos()["astronaut"], 64)
    rng = np.random.default_rng(0)
    names = ["x y", "x_y", "x+y", "日本", "中国"]
    fakes = {}
    for name in names:
        pair = make_image_pair(still, rng, "splice", bundled_photos()["coffee"])
        write_png(folder / f"{name}.png", pair.fake)
        fakes[name] = pair.fake
    write_png(folder / "real.png", pair.real)
    rows = "\n".join(f"{n}.png,real.png,1,train" for n in names)
    (folder / "pairs.csv").write_text("fake,real,label,split\n" + rows + "\n", encoding="utf-8")
    out = tmp_path / "ds"
    assert (
        main(["mask-gen", str(folder / "pairs.csv"), "--out", str(out), "--crop", "none", "--size", "64"])
        == 0
    )
    fake_rows = [r for r in read_manifest(out) if r.label == 1]
    assert len(fake_rows) == len(names) == len({r.id for r in fake_rows})
    for row in fake_rows:
        name = next(n for n in names if Path(row.source).stem == n)
        assert np.array_equal(read_image(out / row.image), fakes[name])
