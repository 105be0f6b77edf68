"""Localizer with a tiny real U-Net trained here in seconds on synthetic pairs (no mocked model)."""

from __future__ import annotations

import numpy as np
import pytest

from localize import Localizer
from localize.common.errors import MediaError
from localize.inference.bundle import load_bundle
from localize.inference.localizer import InferenceConfig
from localize.media.encode import write_video
from localize.media.images import write_png
from mask_gen.synth.sources import bundled_photos, fit_side


def dice(a, b):
    return 2 * (a & b).sum() / max(1, a.sum() + b.sum())


def test_predict_image_finds_the_region_and_judges_the_frame(bundle_path, pairs):
    localizer = Localizer.load(bundle_path, InferenceConfig(crop="none"))
    fake = localizer.predict_image(pairs[1].fake)
    assert fake.prob.shape == pairs[1].mask.shape and fake.prob.dtype == np.float32
    assert dice(fake.mask, pairs[1].mask) > 0.8
    assert fake.is_fake and fake.regions and fake.score > 0.9
    real = localizer.predict_image(pairs[0].real)
    assert not real.is_fake and not real.mask.any()


def test_thresholds_come_from_the_bundle_unless_overridden(bundle_path, pairs):
    assert Localizer.load(bundle_path).min_region_px == 20
    strict = Localizer.load(bundle_path, InferenceConfig(crop="none", min_region_px=10_000))
    assert not strict.predict_image(pairs[1].fake).is_fake


def test_the_mask_threshold_comes_from_the_bundle_and_follows_an_overridden_frame_threshold(
    bundle_path, pairs, tmp_path
):
    import json

    from localize.inference.bundle import bundle_paths

    assert Localizer.load(bundle_path).mask_threshold == Localizer.load(bundle_path).threshold
    assert Localizer.load(bundle_path, InferenceConfig(threshold=0.7)).mask_threshold == 0.7
    json_path, weights_path = bundle_paths(bundle_path)
    meta = json.loads(json_path.read_text())
    meta["thresholds"] = {**meta.get("thresholds", {}), "threshold": 0.9, "mask_threshold": 0.3}
    (tmp_path / "grown.json").write_text(json.dumps(meta))
    (tmp_path / "grown.safetensors").write_bytes(weights_path.read_bytes())
    grown = Localizer.load(tmp_path / "grown.json", InferenceConfig(crop="none"))
    assert (grown.threshold, grown.mask_threshold) == (0.9, 0.3)
    assert Localizer.load(tmp_path / "grown.json", InferenceConfig(threshold=0.95)).mask_threshold == 0.3
    plain = Localizer.load(bundle_path, InferenceConfig(crop="none", threshold=0.9)).predict_image(
        pairs[1].fake
    )
    wide = grown.predict_image(pairs[1].fake)
    assert wide.is_fake == plain.is_fake and wide.mask.sum() >= plain.mask.sum()
    assert (wide.mask | plain.mask).sum() == wide.mask.sum()  # the strict mask lies inside the grown one


def test_flip_averaging_can_be_turned_on_or_off_at_inspection_without_touching_the_bundle(
    bundle_path, pairs, caplog
):
    image = pairs[0].fake
    plain = Localizer.load(bundle_path, InferenceConfig(crop="none")).predict_image(image).prob
    mirror = Localizer.load(bundle_path, InferenceConfig(crop="none")).predict_image(image[:, ::-1]).prob
    with caplog.at_level("WARNING"):
        on = Localizer.load(bundle_path, InferenceConfig(crop="none", flip_average=True))
    assert "flip averaging turned on" in caplog.text
    np.testing.assert_allclose(on.predict_image(image).prob, (plain + mirror[:, ::-1]) / 2, atol=1e-5)
    assert not load_bundle(bundle_path).flip_average  # the file is left as it was
    shared = load_bundle(bundle_path)
    Localizer(shared, InferenceConfig(crop="none", flip_average=True))
    assert not shared.flip_average  # and so is the caller's bundle
    off = Localizer.load(bundle_path, InferenceConfig(crop="none", flip_average=False))
    np.testing.assert_allclose(off.predict_image(image).prob, plain, atol=1e-6)


def test_large_images_are_tiled_and_stitched(bundle_path, pairs):
    localizer = Localizer.load(bundle_path, InferenceConfig(crop="none"))
    assert len(localizer._tiles((150, 200, 3))) > 1
    big = np.tile(pairs[1].fake, (3, 3, 1))  # 3x3 copies, each at the model's native scale
    truth = np.tile(pairs[1].mask, (3, 3))
    prediction = localizer.predict_image(big)
    assert prediction.prob.shape == truth.shape
    assert dice(prediction.mask, truth) > 0.7


def test_the_face_crop_is_pasted_back_in_frame_coordinates(bundle_path):
    localizer = Localizer.load(bundle_path)
    frame = fit_side(bundled_photos()["astronaut"], 480)
    prediction = localizer.predict_image(frame)
    assert prediction.face_found
    x0, y0, x1, y1 = prediction.box
    assert (x1 - x0, y1 - y0) != frame.shape[1::-1]
    outside = np.ones(frame.shape[:2], bool)
    outside[y0:y1, x0:x1] = False
    assert not prediction.prob[outside].any()
    # at threshold 0 the whole crop is one region: its box and mask are in frame coordinates too
    everything = Localizer.load(bundle_path, InferenceConfig(threshold=0.0, min_region_px=1))
    judged = everything.predict_image(frame)
    assert [r.box for r in judged.regions] == [prediction.box]
    assert judged.mask.sum() == (x1 - x0) * (y1 - y0) and not judged.mask[outside].any()


def test_predict_video_samples_streams_and_judges(bundle_path, pairs, tmp_path):
    frames = [pairs[i % 2].fake if i % 3 else pairs[0].real for i in range(12)]
    write_video(tmp_path / "clip.mp4", frames, crf=12)
    localizer = Localizer.load(bundle_path, InferenceConfig(crop="none", batch_size=4))
    seen = []
    video = localizer.predict_video(tmp_path / "clip.mp4", every=2, on_frame=lambda f: seen.append(f.index))
    assert [f.index for f in video.frames] == seen == list(range(0, 12, 2))
    flags = [f.is_fake for f in video.frames]
    assert flags == [bool(i % 3) for i in range(0, 12, 2)]
    assert video.fake_fraction == pytest.approx(sum(flags) / len(flags)) and video.is_fake
    assert len(localizer.predict_video(tmp_path / "clip.mp4", max_frames=5).frames) == 5
    assert video.frames[1].time == pytest.approx(2 / 25)


def test_bad_inputs(bundle_path, tmp_path):
    localizer = Localizer.load(bundle_path, InferenceConfig(crop="none"))
    with pytest.raises(MediaError, match="RGB uint8"):
        localizer.predict_image(np.zeros((8, 8), np.float32))
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(MediaError, match="empty.mp4"):
        localizer.predict_video(tmp_path / "empty.mp4")
    assert load_bundle(bundle_path).meta["input_size"] == [64, 64]


def test_onnx_runtime_gives_the_same_maps(bundle_path, pairs, tmp_path):
    import shutil

    from localize.common.errors import ConfigError
    from localize.inference.onnx_runtime import add_onnx

    copy = tmp_path / "tiny"
    for suffix in (".json", ".safetensors"):
        shutil.copy(bundle_path.with_suffix(suffix), copy.with_suffix(suffix))
    with pytest.raises(ConfigError, match="no ONNX model"):
        Localizer.load(copy, InferenceConfig(crop="none", runtime="onnx"))
    add_onnx(copy)
    eager = Localizer.load(copy, InferenceConfig(crop="none", runtime="torch"))
    onnx = Localizer.load(copy, InferenceConfig(crop="none"))
    assert onnx.bundle.session is not None and eager.bundle.session is None
    a, b = eager.predict_image(pairs[1].fake), onnx.predict_image(pairs[1].fake)
    np.testing.assert_allclose(a.prob, b.prob, atol=1e-4)
    assert a.is_fake == b.is_fake


def test_min_region_is_counted_at_the_models_input_resolution(bundle_path, pairs):
    """The same fake, shown 4x larger (16x the pixels), is judged the same way."""
    import cv2

    localizer = Localizer.load(bundle_path, InferenceConfig(crop="none", min_region_px=60))
    small = pairs[1].fake
    region = localizer.predict_image(small).regions[0].area
    assert region > 60
    big = cv2.resize(small, (256, 256), interpolation=cv2.INTER_NEAREST)
    scaled = Localizer.load(bundle_path, InferenceConfig(crop="none", min_region_px=60, tile_overlap=0.0))
    box = (0, 0, 256, 256)
    assert scaled._region_scales([box], big.shape) == {box: 1.0}  # tiled: native scale
    face = Localizer.load(bundle_path, InferenceConfig(min_region_px=60))
    assert face._region_scales([box], big.shape) == {box: 16.0}  # one crop resized to 64x64


def test_several_faces_are_each_cropped_and_analysed(bundle_path):
    from localize.faces.tracker import crop

    still = fit_side(bundled_photos()["astronaut"], 320)
    two = np.concatenate([still, still[:, ::-1]], axis=1)  # two people, one in each half
    one = Localizer.load(bundle_path).predict_image(two)
    both = Localizer.load(bundle_path, InferenceConfig(max_faces=2)).predict_image(two)
    assert len(one.faces) == 1 and len(both.faces) == 2 and both.face_found
    assert sorted(box[0] < 320 for box in both.faces) == [False, True]  # one crop in each half
    outside = np.ones(two.shape[:2], bool)
    for box in both.faces:
        assert (crop(both.prob, box) > 0).all()  # every crop went through the model
        crop(outside, box)[:] = False
    assert not both.prob[outside].any()
    other = next(box for box in both.faces if box != one.faces[0])
    assert not crop(one.prob, other).any()  # max_faces=1 (the default): the second face is not analysed


def test_a_video_shorter_than_its_header_says_is_analysed_with_a_warning(
    bundle_path, cut_clip, tmp_path, caplog
):
    """An MP4 cut short after its index (moov first, as streamed files are): the frames that are there
    are analysed, and one warning says the file ends early."""
    import logging

    path, cut = cut_clip
    localizer = Localizer.load(bundle_path, InferenceConfig(crop="none"))
    caplog.set_level(logging.WARNING, logger="localize")
    whole = localizer.predict_video(path, max_frames=8)
    assert len(whole.frames) == 8 and not caplog.records and whole.warnings() == []
    video = localizer.predict_video(cut, max_frames=8)
    assert 0 < len(video.frames) < 8 and (video.frames_sampled, video.frames_declared) == (8, 40)
    said = [r.getMessage().split(": ", 1)[1] for r in caplog.records]  # on one thread decoding also
    assert video.warnings()[0] in said and all(  # meets the cut as an error and says where it stopped
        s == video.warnings()[0] or s.startswith("decoding stopped after frame") for s in said
    )
    assert f"{cut}: the video ends before the 40 frames its header declares" in caplog.text
    assert f"{len(video.frames)} of the 8 frames sampled" in caplog.text
    caplog.clear()
    damaged = tmp_path / "damaged.mp4"
    data = bytearray(path.read_bytes())
    middle = len(data) * 7 // 10
    data[middle : middle + 600] = bytes(600)  # zeros over a stretch of coded frames
    damaged.write_bytes(bytes(data))
    video = localizer.predict_video(damaged, max_frames=40)  # every frame
    assert 0 < len(video.frames) < 40  # the frames before the damage, not a failed input
    assert f"{damaged}: decoding stopped after frame {video.frames[-1].index}" in caplog.text


def test_frame_times_are_presentation_times_in_variable_frame_rate_video(bundle_path, pairs, tmp_path):
    """Phones record at a variable frame rate: a frame's time is its timestamp from the first frame, not
    its index over the average rate (here 2.9 frames/s would put the last frame at 2.45 s, not 2.7)."""
    from fractions import Fraction

    import av

    times = [0.0, 0.1, 0.2, 0.9, 1.0, 2.5, 2.6, 2.7]
    path = tmp_path / "vfr.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.height, stream.width = pairs[0].real.shape[:2]
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        for number, seconds in enumerate(times):
            frame = av.VideoFrame.from_ndarray(pairs[number % 2].fake, format="rgb24")
            frame.pts, frame.time_base = round(seconds * 1000), Fraction(1, 1000)
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    localizer = Localizer.load(bundle_path, InferenceConfig(crop="none"))
    video = localizer.predict_video(path, every=1)
    assert [f.index for f in video.frames] == list(range(8))
    assert [round(f.time, 3) for f in video.frames] == times
    image = tmp_path / "still.png"
    write_png(image, pairs[0].real)
    assert [f.time for f in localizer.predict_video(image).frames] == [0.0]


def test_combing_without_the_interlaced_flag_is_analysed_as_the_top_field(bundle_path, tmp_path, caplog):
    """Interlaced video re-encoded as progressive (and a still grabbed from it) keeps its combing but not
    the flag: frames whose pixels comb are analysed rebuilt from their top field, with one warning per
    input; progressive frames are analysed as they are decoded."""
    from skimage import data

    from localize.media.interlace import deinterlaced
    from localize.media.reader import iter_media_frames
    from mask_gen.synth.selfblend.scene import woven_interlaced

    photo = np.ascontiguousarray(data.astronaut()[::4, ::4])  # 128x128
    woven = [woven_interlaced(np.roll(photo, 3 * i, axis=1), 2) for i in range(4)]
    write_video(tmp_path / "baked.mp4", woven, crf=18)
    write_video(tmp_path / "progressive.mp4", [np.roll(photo, 3 * i, axis=1) for i in range(4)], crf=18)
    write_png(tmp_path / "grab.png", woven[0])
    localizer = Localizer.load(bundle_path, InferenceConfig(crop="none"))
    for name, combed in (("baked.mp4", True), ("grab.png", True), ("progressive.mp4", False)):
        caplog.clear()
        with caplog.at_level("WARNING"):
            analysed = {p.index: p.image for p in localizer.iter_video(tmp_path / name, every=1)}
        decoded = dict(iter_media_frames(tmp_path / name))
        assert sorted(analysed) == sorted(decoded)
        for index, frame in decoded.items():
            assert np.array_equal(analysed[index], deinterlaced(frame) if combed else frame)
        assert caplog.text.count("combing in frame 0: analysed as its top field") == combed
    for image, combed in ((woven[0], True), (photo, False)):  # the Python API's in-memory images alike
        caplog.clear()
        with caplog.at_level("WARNING"):
            analysed = localizer.predict_image(image).image
        assert np.array_equal(analysed, deinterlaced(image) if combed else image)
        assert caplog.text.count("the image: combing: analysed as its top field") == combed


def test_mirror_averaging_flips_back_maps_and_averages_each_output_of_a_two_output_run():
    """average_with_mirror: a map of the mirror image is flipped back before the mean, a score is not;
    a run returning (maps, scores) has each averaged so."""
    import torch

    from localize.inference.bundle import average_with_mirror

    batch = torch.arange(2 * 3 * 2 * 4, dtype=torch.float32).reshape(2, 3, 2, 4)

    def run(x):  # the map: the first channel as it is; the score: the mean of the image's left half
        return x[:, :1], x[..., :2].mean(dim=(1, 2, 3))

    maps, scores = average_with_mirror(run, batch)
    torch.testing.assert_close(maps, batch[:, :1])  # flipped back, the mirror's map is the batch's own
    left, right = batch[..., :2].mean(dim=(1, 2, 3)), batch[..., 2:].mean(dim=(1, 2, 3))
    torch.testing.assert_close(scores, (left + right) / 2)
    torch.testing.assert_close(average_with_mirror(lambda x: x[:, :1], batch), maps)  # one output alike
