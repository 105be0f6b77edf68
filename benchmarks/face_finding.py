"""Face finding on real footage: the 13 DFDC and FF++ c23 clips in ../shared, every 10th frame, up to 3
faces a frame, tracked as `forgeloc inspect --every 10 --max-frames 1000 --max-faces 3` tracks them.

Reference faces: YuNet on every sampled frame at native resolution, alone (no tracking), each box
checked by eye on contact sheets once (every clip shows one person; the FF++ anchor clips' inset of a
puppet's face is a face too). Per detector under test (YuNet as
inspect runs it: shrunk frames, tracked; and the LBP cascade): the share of frames whose reference face a
tracked box covers (its centre inside the reference box and the reference's centre inside it), overall
and on the turned-head DFDC clip brtujopkby; tracked boxes that cover no reference face (false boxes);
and milliseconds of face finding per frame (tracker included).

The detectors run as an offline install runs them: an empty cache, no FORGELOC_FACE_MODEL and every
socket refused, so `yunet` is the file the installed package carries. `--agreement` (default on) also
tracks with YuNet read from ../shared's copy and counts how many of its tracked boxes the installed
YuNet's equal exactly, and how many boxes it has that the other has not.

    python benchmarks/face_finding.py [--detectors yunet,lbp] [--every 10]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
EXTERNAL = DATA / "external"
YUNET = DATA / "detectors" / "yunet" / "yunet_s_640_640.onnx"
CLIPS = ("abofeumbvv", "abqwwspghj", "lynaeydofd", "brtujopkby", "widuwuoiur", "yhffcuhhjy")
CLIPS += ("519_515", "750_743", "634_660", "004_982", "004", "519", "634")


def clips() -> list[Path]:
    return sorted(p for p in EXTERNAL.rglob("*.mp4") if p.stem in CLIPS)


def same_face(a, b) -> bool:
    from localize.faces.tracker import box_centre, holds

    return holds(a, box_centre(b)) and holds(b, box_centre(a))


def measure(name: str, every: int, max_faces: int = 3) -> dict:
    from localize.faces.detectors import YuNetConfig, YuNetDetector, build_detector
    from localize.faces.tracker import FaceTracker, TrackConfig
    from localize.media.reader import iter_media_frames, media_info
    from localize.media.sampling import sample_indices

    detector = build_detector(name)
    reference = YuNetDetector(YUNET, YuNetConfig(detect_side=4096))
    frames = found = false_boxes = 0
    seconds = 0.0
    per_clip = {}
    for path in clips():
        tracker = FaceTracker(detector, TrackConfig(max_faces=max_faces))
        indices = sample_indices(media_info(path).frames, every=every)[:1000]
        clip_frames = clip_found = 0
        for _, frame in iter_media_frames(path, indices):
            start = time.perf_counter()
            faces = tracker.track(frame)
            seconds += time.perf_counter() - start
            truth = reference.detect(frame)
            clip_frames += 1
            clip_found += any(same_face(t, f) for t in truth for f in faces.values())
            false_boxes += sum(not any(same_face(t, f) for t in truth) for f in faces.values())
        frames += clip_frames
        found += clip_found
        per_clip[path.stem] = round(clip_found / clip_frames, 3)
    return {
        "detector": type(detector).__name__,
        "frames": frames,
        "face_found": round(found / frames, 3),
        "face_found_brtujopkby": per_clip.get("brtujopkby"),
        "false_boxes_per_frame": round(false_boxes / frames, 4),
        "ms_per_frame": round(1000 * seconds / frames, 1),
        "per_clip": per_clip,
    }


def agreement(every: int, max_faces: int = 3) -> dict:
    """Tracked boxes of the installed YuNet against those of ../shared's copy, frame by frame."""
    from localize.faces.detectors import YuNetDetector, build_detector
    from localize.faces.tracker import FaceTracker, TrackConfig
    from localize.media.reader import iter_media_frames, media_info
    from localize.media.sampling import sample_indices

    installed = build_detector("yunet")
    theirs = YuNetDetector(YUNET)
    matched = their_boxes = extra = 0
    for path in clips():
        ours = FaceTracker(installed, TrackConfig(max_faces=max_faces))
        other = FaceTracker(theirs, TrackConfig(max_faces=max_faces))
        indices = sample_indices(media_info(path).frames, every=every)[:1000]
        for _, frame in iter_media_frames(path, indices):
            a, b = set(ours.track(frame).values()), set(other.track(frame).values())
            matched += len(a & b)
            their_boxes += len(b)
            extra += len(a - b)
    return {
        "installed_file": str(installed.model_path),
        "source": installed.source,
        "shared_boxes": their_boxes,
        "shared_boxes_matched": round(matched / max(their_boxes, 1), 4),
        "extra_boxes": extra,
    }


def refuse_network(*args, **kwargs):
    raise OSError("benchmarks/face_finding.py runs offline: no network")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detectors", default="yunet,lbp")
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--no-agreement", action="store_true")
    args = parser.parse_args()
    os.environ.pop("FORGELOC_FACE_MODEL", None)
    os.environ["FORGELOC_HOME"] = tempfile.mkdtemp(prefix="forgeloc-empty-cache-")
    socket.socket.connect = refuse_network
    socket.create_connection = refuse_network
    results = {name: measure(name, args.every) for name in args.detectors.split(",")}
    if not args.no_agreement:
        results["installed_vs_shared"] = agreement(args.every)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
