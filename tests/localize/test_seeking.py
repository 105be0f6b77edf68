"""A sparse sampling of a long video is read by seeking: the same frames, pixel for pixel, and the same
times as decoding straight through, in every container that indexes its frames; everything else, and a
seek that misses, falls back to decoding from the start."""

from __future__ import annotations

import logging
from fractions import Fraction

import av
import numpy as np
import pytest

from localize.media.sampling import sample_indices
from localize.media.seeking import FrameIndex, index_frames, seek_plan
from localize.media.video import iter_timed_frames

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


@pytest.mark.parametrize(
    ("name", "codec", "options"),
    [
        ("h264.ts", "libx264", {"g": "12", "bf": "3"}),
        ("mpeg2.ts", "mpeg2video", {"g": "12", "bf": "2"}),
        ("h264.flv", "libx264", {"g": "12", "bf": "3"}),  # a live-stream recording
        ("flv1.flv", "flv", {"g": "12"}),  # Sorenson Spark, the Flash era's codec
    ],
)
def test_transport_streams_and_flv_are_read_by_seeking_a_keyframe_early_and_give_the_frames_decoding_gives(
    tmp_path, caplog, name, codec, options
):
    path = _clip(tmp_path / name, codec, options)  # FFmpeg seeks these by estimating offsets
    assert not index_frames(path, 0).exact
    caplog.set_level(logging.DEBUG, logger="localize")
    for indices in ([1, 2, 75, FRAMES - 1], [0, 13, 14, 100], [30, 140]):
        caplog.clear()
        _same_as_straight(path, indices)
        assert "seeking: about" in caplog.text and "missed" not in caplog.text
    # the first aim, the keyframe's decoding timestamp, lands on the keyframe itself (its PTS lands late)
    index = index_frames(path, 0)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for step in seek_plan(index, [30, 75, 140]):
            container.seek(step.aims[0], stream=stream, backward=True)
            assert next(iter(container.decode(stream))).pts == step.seek


def test_a_transport_stream_across_the_mpeg_clock_wrap_is_read_by_seeking(tmp_path, caplog):
    """The 33-bit MPEG clock wraps after 26.5 h; this recording crosses it on frame 93 (FFmpeg unwraps)."""
    times = [95440.0 + 0.04 * n for n in range(200)]
    path = _clip(tmp_path / "wrap.ts", "libx264", {"g": "12", "bf": "3"}, times)
    caplog.set_level(logging.DEBUG, logger="localize")
    _same_as_straight(path, [5, 60, 120, 190])
    assert "seeking: about" in caplog.text and "missed" not in caplog.text


def test_recordings_joined_end_to_end_are_read_straight_through(tmp_path, caplog):
    """Two transport streams joined byte for byte (as captures are), the second's clock 12 s behind the
    first's end: the damaged packet at the join voids the index, and the frames are those decoding gives."""
    first = _clip(tmp_path / "a.ts", "libx264", {"g": "10"}, [0.04 * n for n in range(300)])
    second = _clip(tmp_path / "b.ts", "libx264", {"g": "10"}, [0.04 * n + 0.54 for n in range(300)])
    joined = tmp_path / "joined.ts"
    joined.write_bytes(first.read_bytes() + second.read_bytes())
    assert index_frames(joined, 0) is None
    caplog.set_level(logging.DEBUG, logger="localize")
    _same_as_straight(joined, [5, 290, 310, 590])
    assert "seeking: about" not in caplog.text


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
    import localize.media.video as video

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
    for name in ("stream.mpg", "dvd.vob"):  # program streams: keyframe flags and timestamps not to be trusted
        ps = _clip(tmp_path / name, "mpeg2video", {"g": "10", "bf": "2"})
        assert index_frames(ps, 0) is None
        _same_as_straight(ps, [5, 60, 120])
    whole = _clip(tmp_path / "whole.mp4", "libx264", {"g": "10"})
    assert index_frames(whole, 0).pts == tuple(sorted(index_frames(whole, 0).pts))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])  # packets missing: no index
    assert index_frames(cut, 0) is None
