"""`forgeloc demo`: the whole toolkit in one command, on synthetic data it makes itself.

Synthetic real/fake videos with exact masks -> mask-gen (Dice against the truth) -> `forgeloc inspect` of a
real/fake video pair and image pair with the bundled default model -> report.html.
"""

from __future__ import annotations

import argparse
import time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", default="demo_out", help="folder for the demo's files (default demo_out)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", help="bundle to inspect with (default: the bundled default model)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from localize.cli.inspect import inspect, print_results
    from mask_gen.cli.masks import print_summary
    from mask_gen.config import MaskGenConfig
    from mask_gen.datasets import load_pairs
    from mask_gen.synth.layouts import SynthConfig, write_synthetic
    from mask_gen.synth.score import score_dataset
    from mask_gen.synth.video import MotionConfig
    from mask_gen.writer import build_dataset

    start = time.perf_counter()
    out = Path(args.out)
    config = SynthConfig(videos=3, motion=MotionConfig(frames=16), crfs=(23,), seed=args.seed)
    print("1/4 writing a synthetic FaceForensics++-style set (H.264 CRF 23) with exact masks ...")
    synth = write_synthetic(out / "synthetic", ["ffpp"], config)["ffpp"]
    print(f"    {synth}")
    print("2/4 building a training set (face crop on the real frame, blur, distance, threshold, regions) ...")
    pairs = load_pairs(synth)
    summary = build_dataset(pairs, out / "dataset", MaskGenConfig(frames=8))
    print_summary(summary, str(out / "dataset"))
    print("3/4 scoring the generated masks against the exact ones ...")
    for method, dice in sorted(score_dataset(out / "dataset", synth).items()):
        print(f"    Dice {method:10s} {dice:.3f}")
    print("4/4 inspecting a real/fake video pair and image pair with the model ...")
    suspects = _suspects(out / "suspects", pairs, args.seed)
    results = inspect(suspects, out / "inspect", model=args.model)
    code = print_results(results, out / "inspect")
    print(f"done in {time.perf_counter() - start:.0f} s; open {out / 'inspect' / 'report.html'}")
    return 1 if summary.failed or code else 0


def _suspects(folder, pairs, seed: int) -> list:
    """A real video from the synthetic set and a real photo (the astronaut), each with a face-blended fake:
    her face blended into a colour-shifted, slightly warped copy of itself through a face hull from the
    detector's landmarks (the seam a face swap leaves; the same seed in every frame of the video). A detector
    without landmarks (the LBP fallback) gets a frontal face's typical ones in its box; a photo without a
    face gets a synthetic self-blend."""
    import shutil

    from localize.faces.detectors import build_detector
    from localize.media.encode import write_video
    from localize.media.images import write_png
    from localize.media.video import iter_frames
    from mask_gen.synth.sources import bundled_photos, fit_side

    folder.mkdir(parents=True, exist_ok=True)
    detector = build_detector()
    pair = next(p for p in pairs if p.fake is not None and p.method == "SelfBlend")
    shutil.copy(pair.real, folder / "real_video.mp4")
    frames = (_face_blend(frame, detector, seed) for _, frame in iter_frames(pair.real))
    write_video(folder / "fake_video.mp4", frames, crf=23)
    still = fit_side(bundled_photos()["astronaut"], 512)
    write_png(folder / "real_image.png", still)
    write_png(folder / "fake_image.png", _face_blend(still, detector, seed))
    return [
        folder / name for name in ("real_video.mp4", "fake_video.mp4", "real_image.png", "fake_image.png")
    ]


def _face_blend(rgb, detector, seed: int):
    """`rgb` with its largest face self-blended (mask_gen.synth.selfblend.blend), drawn from `seed`."""
    import numpy as np

    from mask_gen.synth.manipulations import make_image_pair
    from mask_gen.synth.selfblend.blend import self_blend, typical_landmarks

    rng = np.random.default_rng(seed)
    faces = detector.detect_faces(rgb)
    if not faces:
        return make_image_pair(rgb, rng, "self_blend").fake
    face = faces[0]
    points = typical_landmarks(face.box) if face.landmarks is None else np.asarray(face.landmarks)
    return self_blend(rgb, points, rng)[0]
