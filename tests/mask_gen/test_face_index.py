"""Any folder of photos and videos becomes an indexed face folder: YuNet's box and landmarks per photo and
per sampled video frame, one group per video (so a video never straddles splits), broken files skipped
with one line, and the result feeds self-blending unchanged."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from localize.common.errors import ConfigError
from localize.faces.detectors import build_detector
from localize.media.encode import write_video
from localize.media.images import write_png
from mask_gen.synth.selfblend.face_index import IndexConfig, index_faces
from mask_gen.synth.selfblend.portraits import read_face_index, split_people
from mask_gen.synth.sources import bundled_photos, fit_side

YUNET = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "detectors" / "yunet" / "yunet_s_640_640.onnx"
)
needs_yunet = pytest.mark.skipif(not YUNET.is_file(), reason="YuNet's model file is not in ../shared")


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """Two photos, two moving clips of a face, a photo without a face and a broken video."""
    root = tmp_path_factory.mktemp("source")
    face = fit_side(bundled_photos()["astronaut"], 320)
    write_png(root / "a.png", face)
    write_png(root / "people" / "b.png", np.ascontiguousarray(face[:, ::-1]))
    for name, step in (("clip1", 2), ("clip2", -2)):
        frames = [np.ascontiguousarray(np.roll(face, step * k, axis=1)) for k in range(12)]
        write_video(root / "videos" / f"{name}.mp4", frames, crf=23)
    write_png(root / "sky.png", np.full((120, 160, 3), 200, np.uint8))
    (root / "videos" / "broken.mp4").write_bytes(b"not a video")
    return root


@needs_yunet
def test_photos_and_video_frames_are_indexed_with_one_group_per_video(source, tmp_path, caplog):
    out = tmp_path / "faces"
    with caplog.at_level(logging.WARNING):
        summary = index_faces(source, out, build_detector("yunet", YUNET), IndexConfig(frames_per_video=4))
    assert (summary.photos, summary.frames, summary.skipped) == (2, 8, 2)
    assert "sky.png" in caplog.text and "broken.mp4" in caplog.text
    photos = read_face_index(out)
    assert len(photos) == 10 and all(p.path.is_file() and p.path.is_relative_to(out) for p in photos)
    groups = {p.person for p in photos}
    assert groups == {"a.png", "people/b.png", "videos/clip1.mp4", "videos/clip2.mp4"}
    # the face is where YuNet put it: the landmarks lie inside the box
    for photo in photos:
        marks = photo.landmark_array()
        x0, y0, x1, y1 = photo.box
        assert (marks[:, 0] > x0).all() and (marks[:, 0] < x1).all() and (marks[:, 1] > y0).all()
    # a video's frames stay together whichever split they land in
    splits = split_people(photos, 0.5)
    for group in groups:
        assert len({split for split, members in splits.items() for p in members if p.person == group}) == 1


@needs_yunet
def test_the_indexed_folder_feeds_self_blending(source, tmp_path):
    from localize.cli.main import main

    faces = tmp_path / "faces"
    assert (
        main(
            [
                "synth",
                str(faces),
                "--face-index",
                str(source),
                "--frames-per-video",
                "2",
                "--face-model",
                str(YUNET),
            ]
        )
        == 0
    )
    out = tmp_path / "sb"
    assert (
        main(
            [
                "synth",
                str(out),
                "--self-blend",
                str(faces),
                "--splits",
                "train,val",
                "--val-fraction",
                "0.4",
                "--input-size",
                "64",
            ]
        )
        == 0
    )
    assert (out / "manifest.csv").is_file() and len(list((out / "images").glob("*.png"))) == 12


def test_lbp_has_no_landmarks_and_an_empty_folder_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="landmarks"):
        index_faces(tmp_path, tmp_path / "out", build_detector("lbp"))
    if YUNET.is_file():
        with pytest.raises(ConfigError, match="no face found"):
            index_faces(tmp_path, tmp_path / "out", build_detector("yunet", YUNET))
    with pytest.raises(ConfigError, match="frames_per_video"):
        IndexConfig(frames_per_video=0)
