"""Face detection and tracking on real photographs (scikit-image's astronaut) moved by a synthetic camera."""

from __future__ import annotations

import numpy as np
import pytest

from localize.common.errors import ConfigError
from localize.faces.tracker import FaceTracker, LBPCascadeDetector, TrackConfig, box_centre, expand_box
from mask_gen.synth.manipulations import make_image_pair
from mask_gen.synth.sources import bundled_photos, fit_side
from mask_gen.synth.video import MotionConfig, render_clip


class CountingDetector(LBPCascadeDetector):
    """The real cascade, counting its full scans and near searches; `blink` frames' near searches find
    nothing (as the cascade does on a frame where the face is blurred or turned)."""

    full_scans = 0
    near_searches = 0
    blink: tuple[int, ...] = ()

    def detect(self, rgb):
        self.full_scans += 1
        return super().detect(rgb)

    def detect_near(self, rgb, face, track):
        self.near_searches += 1
        return [] if self.near_searches in self.blink else super().detect_near(rgb, face, track)


def iou(a, b):
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
    return ix * iy / union


@pytest.fixture(scope="module")
def face_clip():
    detector = LBPCascadeDetector()
    still = fit_side(bundled_photos()["astronaut"], 800)
    face = detector.detect(still)[0]
    pair = make_image_pair(still, np.random.default_rng(0), "blur", face=face)
    motion = MotionConfig(frames=12, width=640, height=480, max_shift=0.06)
    return [real for real, _, _ in render_clip(pair, motion, np.random.default_rng(1), box_centre(face))]


def test_tracker_scans_once_and_follows_the_face(face_clip):
    detector = CountingDetector()
    tracker = FaceTracker(detector)
    tracked = [tracker.update(frame) for frame in face_clip]
    assert detector.full_scans == 1
    scanned = [LBPCascadeDetector().detect(frame)[0] for frame in face_clip]
    assert all(box is not None for box in tracked)
    assert min(iou(t, s) for t, s in zip(tracked, scanned, strict=True)) > 0.6
    centres = np.array([box_centre(box) for box in tracked])
    assert np.ptp(centres[:, 0]) > 5, "the camera moves, so must the box"


def test_between_detector_searches_the_face_is_followed_by_correlation(face_clip):
    every_frame = CountingDetector()
    tracker_every = FaceTracker(every_frame, TrackConfig(refine_every=1))
    [tracker_every.update(frame) for frame in face_clip]
    assert every_frame.near_searches == len(face_clip) - 1  # refine_every=1: the cascade on every frame
    detector = CountingDetector()
    tracker = FaceTracker(detector, TrackConfig(refine_every=4))
    [tracker.update(frame) for frame in face_clip]
    assert detector.full_scans == 1 and detector.near_searches == 2  # frames 4 and 8 of 12


def test_correlation_follows_a_moving_face(face_clip):
    frame = face_clip[0]
    tracker = FaceTracker(LBPCascadeDetector(), TrackConfig(refine_every=10))
    x0, y0, x1, y1 = tracker.update(frame)
    moved = np.roll(frame, (7, -11), axis=(0, 1))  # content 11 px left and 7 px down
    # matched on the face shrunk to 64 px: within the 2 px that one of those pixels spans here
    followed = np.array(tracker.update(moved))
    assert np.abs(followed - (x0 - 11, y0 + 7, x1 - 11, y1 + 7)).max() <= 2


def test_a_detector_blink_does_not_lose_the_face(face_clip):
    detector = CountingDetector()
    detector.blink = (1,)  # the first near search, on frame 2, finds nothing
    tracker = FaceTracker(detector, TrackConfig(refine_every=2))
    tracked = [tracker.update(frame) for frame in face_clip]
    assert all(box is not None for box in tracked) and detector.full_scans == 1
    blank = np.full_like(face_clip[0], 128)
    assert tracker.update(blank) is None  # nothing correlates with a grey frame: the face is gone


def test_tracker_rescans_a_faceless_video_every_k_frames():
    detector = CountingDetector()
    tracker = FaceTracker(detector, TrackConfig(rescan_every=3))
    blank = np.full((240, 320, 3), 128, np.uint8)
    assert [tracker.update(blank) for _ in range(7)] == [None] * 7
    assert detector.full_scans == 3  # frames 0, 3 and 6


def test_tracker_finds_the_face_again_after_losing_it(face_clip):
    detector = CountingDetector()
    tracker = FaceTracker(detector, TrackConfig(rescan_every=1))
    blank = np.full_like(face_clip[0], 128)
    assert tracker.update(face_clip[0]) is not None
    assert tracker.update(blank) is None
    assert tracker.update(face_clip[1]) is not None
    assert detector.full_scans == 3


@pytest.fixture(scope="module")
def two_faces():
    """The astronaut beside her mirror image: two faces, one in each half."""
    still = fit_side(bundled_photos()["astronaut"], 320)
    return np.concatenate([still, still[:, ::-1]], axis=1)


def test_several_faces_are_tracked_with_stable_ids(two_faces):
    frames = [np.roll(two_faces, 3 * k, axis=1) for k in range(6)]
    detector = CountingDetector()
    tracker = FaceTracker(detector, TrackConfig(max_faces=2))
    tracked = [tracker.track(frame) for frame in frames]
    assert all(sorted(faces) == [0, 1] for faces in tracked) and detector.full_scans == 1
    for k, faces in enumerate(tracked):  # face 0 stays the left one, face 1 the right one, both moving
        assert box_centre(faces[0])[0] < 320 < box_centre(faces[1])[0]
        assert abs(faces[0][0] - tracked[0][0][0] - 3 * k) <= 4  # the cascade's refinements jitter
    single = FaceTracker(LBPCascadeDetector())
    assert [len(single.track(frame)) for frame in frames] == [1] * 6  # max_faces=1: the default


def test_a_track_that_drifts_onto_another_face_is_dropped_and_the_face_found_again(two_faces):
    class Drifting(CountingDetector):
        """Near searches answer with the largest face of the whole frame, wherever they look."""

        def detect_near(self, rgb, face, track):
            self.near_searches += 1
            return [min(LBPCascadeDetector.detect(self, rgb))]  # the left face, for both tracks

    detector = Drifting()
    tracker = FaceTracker(detector, TrackConfig(max_faces=2, refine_every=2))
    found = [tracker.track(two_faces) for _ in range(3)]  # frame 2 refines: both tracks land on the left
    assert detector.near_searches == 2 and detector.full_scans == 2  # the second track dropped, rescanned
    assert all(box_centre(faces[0])[0] < 320 < box_centre(faces[1])[0] for faces in found)


@pytest.mark.parametrize("field", ["max_faces", "new_face_every", "refine_every", "rescan_every"])
def test_track_counts_below_one_are_refused(field):
    with pytest.raises(ConfigError, match=field):
        TrackConfig(**{field: 0})


def test_a_face_that_appears_later_is_found_by_the_periodic_scan(two_faces):
    one = two_faces.copy()
    one[:, 320:] = 128  # the second person has not come in yet
    detector = CountingDetector()
    tracker = FaceTracker(detector, TrackConfig(max_faces=2, new_face_every=3))
    found = [sorted(tracker.track(frame)) for frame in [one, one, one, two_faces, two_faces, two_faces]]
    assert found == [[0], [0], [0], [0, 1], [0, 1], [0, 1]]  # full scans on frames 0 and 3 only
    assert detector.full_scans == 2


def test_expand_box_is_square_and_inside_the_frame():
    assert expand_box((0, 0, 100, 50), (80, 200, 3), 1.3) == (10, 0, 90, 80)  # side capped by the height
    x0, y0, x1, y1 = expand_box((100, 100, 140, 150), (480, 640, 3), 1.5)
    assert x1 - x0 == y1 - y0 == 75 and box_centre((x0, y0, x1, y1)) == pytest.approx((120, 125), abs=1)


def test_a_correlation_threshold_outside_minus_one_to_one_is_refused():
    with pytest.raises(ConfigError, match="min_match"):
        TrackConfig(min_match=1.5)
