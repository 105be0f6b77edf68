"""A sparse sampling of a long video is read by seeking: the same frames, pixel for pixel, and the same
times as decoding straight through, in every container that indexes its frames; everything else, and a
seek that misses, falls back to decoding from the start."""

from __future__ import annotations

import logging
from fractions import Fraction

import av
import numpy as np
import pytest

from localize.sampling import sample_indices
from localize.seeking import FrameIndex, index_frames, seek_plan
from localize.video import iter_timed_frames

FRAMES = 150


def _clip(path, codec: str, options: dict, times: list[float] | None = None, pix_fmt: str = "yuv420p"):
    """A clip of a moving random texture: every frame differs, so a wrong frame cannot pass for the right
    one. `times`: each frame's timestamp in seconds (variable frame rate); else 25 frames/s."""
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (64, 96, 3), dtype=np.uint8)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=25)
        stream.width, stream.height, stream.pix_fmt = 96, 64, pix_fmt
        stream.options = options
        if times is not None:
            stream.codec_context.time_base = Fraction(1, 1000)
        for number in range(FRAMES if times is None else len(times)):
            frame = av.VideoFrame.from_ndarray(np.roll(base, number * 3, axis=1), format="rgb24")
            if times is not None:
                frame.pts, frame.time_base = round(times[number] * 1000), Fraction(1, 1000)
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def _same_as_straight(path, indices) -> None:
    straight = {i: (t, f) for i, t, f in iter_timed_frames(path, seek=False)}
    got = list(iter_timed_frames(path, indices))
    assert [i for i, _, _ in got] == sorted(set(indices))
    for index, seconds, frame in got:
        assert np.array_equal(frame, straight[index][1]), f"frame {index} differs"
        assert seconds == pytest.approx(straight[index][0], abs=1e-9)


@pytest.mark.parametrize(
    ("name", "codec", "options", "pix_fmt"),
    [
        ("h264.mp4", "libx264", {"g": "12", "bf": "3"}, "yuv420p"),  # B-frames: decode order is not display
        ("h264.mov", "libx264", {"g": "10", "bf": "2"}, "yuv420p"),
        ("vp9.webm", "libvpx-vp9", {"g": "10"}, "yuv420p"),
        ("mpeg4.avi", "mpeg4", {"g": "10"}, "yuv420p"),
        ("mjpeg.mkv", "mjpeg", {}, "yuvj420p"),  # every frame a keyframe
    ],
)
def test_sparse_frames_are_read_by_seeking_and_are_the_frames_decoding_gives(
    tmp_path, caplog, name, codec, options, pix_fmt
):
    path = _clip(tmp_path / name, codec, options, pix_fmt=pix_fmt)
    caplog.set_level(logging.DEBUG, logger="localize")
    for indices in (sample_indices(FRAMES, frames=8), [1, 2, 75, FRAMES - 1], [0, 13, 14, 100]):
        caplog.clear()
        _same_as_straight(path, indices)
        assert "seeking: about" in caplog.text and "missed" not in caplog.text


def test_variable_frame_rate_times_survive_seeking(tmp_path, caplog):
    times = [
        round(0.04 * n + (0.5 if n >= 60 else 0.0) + (1.0 if n >= 120 else 0.0), 3) for n in range(FRAMES)
    ]
    path = _clip(tmp_path / "vfr.mp4", "libx264", {"g": "10"}, times)
    caplog.set_level(logging.DEBUG, logger="localize")
    got = {i: t for i, t, _ in iter_timed_frames(path, [5, 64, 130])}
    assert "seeking: about" in caplog.text
    assert got == pytest.approx({5: times[5], 64: times[64], 130: times[130]}, abs=1e-6)


def test_a_seek_that_misses_its_frame_falls_back_to_decoding_from_the_start(tmp_path, caplog, monkeypatch):
    import localize.video as video

    path = _clip(tmp_path / "clip.mp4", "libx264", {"g": "12"})
    right = video.seek_plan

    def off_by_one(index: FrameIndex, wanted):  # from frame 40 on, timestamps no frame has
        shifted = index.pts[:40] + tuple(p + 1 for p in index.pts[40:])
        return right(FrameIndex(shifted, index.keyframes), wanted)

    monkeypatch.setattr(video, "seek_plan", off_by_one)
    caplog.set_level(logging.DEBUG, logger="localize")
    _same_as_straight(path, [3, 40, 41, 149])
    assert "a seek missed its frame; decoding from the start instead" in caplog.text


def test_dense_samplings_short_runs_and_unindexed_containers_are_read_straight_through(tmp_path):
    index = FrameIndex(tuple(range(0, 3000, 10)), (0, 100, 200))  # 300 frames, a keyframe every 100
    assert seek_plan(index, range(0, 300, 2)) is None  # every other frame: nothing to save
    assert seek_plan(index, [299, 300]) is None  # past the last frame
    plan = seek_plan(index, [10, 20, 150, 210])
    assert [(s.index, s.pts, s.seek) for s in plan] == [
        (10, 100, 0),  # from the first keyframe
        (20, 200, None),  # decoding on
        (150, 1500, 1000),  # from the keyframe at 100
        (210, 2100, 2000),
    ]
    assert seek_plan(index, [10, 90, 199]) is None  # 191 frames decoded against 200: not worth it
    ts = _clip(tmp_path / "stream.ts", "libx264", {"g": "10"})  # no frame table: seeks estimate offsets
    assert index_frames(ts, 0) is None
    whole = _clip(tmp_path / "whole.mp4", "libx264", {"g": "10"})
    assert index_frames(whole, 0).pts == tuple(sorted(index_frames(whole, 0).pts))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])  # packets missing: no index
    assert index_frames(cut, 0) is None
