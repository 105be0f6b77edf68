"""A model on the real media in ../shared (test material only: nothing is trained or tuned on it).

What `forgeloc inspect --max-frames 16` does on each input, gathered into the figures the model card
publishes:
- FF++ c23 (3 originals; Deepfakes, FaceSwap, NeuralTextures, Face2Face fakes): frame ROC-AUC of the
  frame score overall and per method (fake frames of a method against every real frame), the share of
  real and fake frames flagged at the bundle's thresholds, and each video's verdict;
- DFDC: the three fake sample clips (frames flagged, faces found) and the MTCNN crops of real and fake
  DFDC videos (crops flagged);
- FF++ README frames with their official masks: pixel Dice of the predicted mask, and the verdict on the
  two real frames;
- real CC-BY face videos (Tears of Steel, Intel's ASL clips; apart, Intel's five GIF previews: close
  faces turning, people walking towards the camera): frames flagged (false alarms).

    python benchmarks/real_deepfakes.py [--model BUNDLE] [--max-frames 16] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from eval.metrics import interval, resampled_aucs
from localize.inference.localizer import InferenceConfig, Localizer, default_bundle_path
from localize.media.images import read_image
from mask_gen.datasets.ffpp_examples import ORIGINALS, read_examples
from mask_gen.quality import mask_dice

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
EXTERNAL = DATA / "external"
FFPP = EXTERNAL / "polimi-ispl__icpr2020dfdc" / "test" / "data" / "ffpp"
DFDC = EXTERNAL / "polimi-ispl__icpr2020dfdc" / "test" / "data" / "dfdc"
CROPS = EXTERNAL / "aaronchong888__DeepFake-Detect" / "prepared_dataset"
README = EXTERNAL / "ondyari__FaceForensics" / "images"
FACE_VIDEOS = DATA / "face_videos"


def _frames(localizer: Localizer, path: Path, max_frames: int) -> list:
    return localizer.predict_video(path, max_frames=max_frames).frames


def ffpp(localizer: Localizer, max_frames: int) -> dict:
    """Frame AUC overall and per method, flag rates and video verdicts on the FF++ c23 clips."""
    reals = sorted((FFPP / "original_sequences" / "youtube" / "c23" / "videos").glob("*.mp4"))
    fakes = sorted((FFPP / "manipulated_sequences").glob("*/c23/videos/*.mp4"))
    scores: dict[str, list[tuple[float, bool]]] = {}
    videos, groups = {}, {}  # groups: each frame's video, per method
    for path in reals + fakes:
        method = "real" if path in reals else path.parts[-4]
        frames = _frames(localizer, path, max_frames)
        scores.setdefault(method, []).extend((f.score, f.is_fake) for f in frames)
        groups.setdefault(method, []).extend(f"{method}/{path.stem}" for _ in frames)
        flagged = sum(f.is_fake for f in frames)
        videos[f"{method}/{path.stem}"] = {
            "flagged": f"{flagged}/{len(frames)}",
            "faces_found": sum(f.face_found for f in frames),
            "mean_score": round(float(np.mean([f.score for f in frames])), 3),
        }
    real = [s for s, _ in scores["real"]]

    def auc(fake: list[float]) -> float:
        return round(float(roc_auc_score([0] * len(real) + [1] * len(fake), real + fake)), 3)

    methods = sorted(m for m in scores if m != "real")
    all_fake = [s for m in methods for s, _ in scores[m]]
    labels = [0] * len(real) + [1] * len(all_fake)
    by_video = groups["real"] + [g for m in methods for g in groups[m]]
    low, high = interval(resampled_aucs(labels, [real + all_fake], by_video)[:, 0])
    return {
        "frame_auc": {"all": auc(all_fake), **{m: auc([s for s, _ in scores[m]]) for m in methods}},
        "frame_auc_all_ci_by_video": [round(low, 3), round(high, 3)],  # 95 %, whole videos resampled
        "real_frames_flagged": round(float(np.mean([f for _, f in scores["real"]])), 3),
        "fake_frames_flagged": round(float(np.mean([f for m in methods for _, f in scores[m]])), 3),
        "fake_flagged_by_method": {m: round(float(np.mean([f for _, f in scores[m]])), 3) for m in methods},
        "videos": videos,
    }


def dfdc(localizer: Localizer, max_frames: int) -> dict:
    """The DFDC fake sample clips (all three are fakes) and the real/fake MTCNN crops."""
    clips = {}
    for path in sorted(DFDC.glob("*/*.mp4")):
        frames = _frames(localizer, path, max_frames)
        clips[path.stem] = {
            "flagged": f"{sum(f.is_fake for f in frames)}/{len(frames)}",
            "faces_found": f"{sum(f.face_found for f in frames)}/{len(frames)}",
        }
    crops = {}
    for label in ("real", "fake"):
        flags = [
            localizer.predict_image(read_image(p)).is_fake for p in sorted((CROPS / label).glob("*.png"))
        ]
        crops[label] = f"{sum(flags)}/{len(flags)} flagged"
    return {"fake_clips": clips, "crops": crops}


def readme_frames(localizer: Localizer) -> dict:
    """Pixel Dice against FF++'s official masks (binarised as PROVENANCE.md says) and the real frames."""
    dice = {}
    for example in read_examples(README):
        mask = localizer.predict_image(example.fake).mask
        dice[example.method] = round(mask_dice(mask, example.mask), 3)
    reals = {stem: localizer.predict_image(read_image(README / f"{stem}.png")) for stem in ORIGINALS}
    return {
        "dice": dice,
        "mean_dice": round(float(np.mean(list(dice.values()))), 3),
        "real_verdicts": {stem: "FAKE" if p.is_fake else "REAL" for stem, p in reals.items()},
        "real_scores": {stem: round(p.score, 3) for stem, p in reals.items()},
    }


def face_videos(localizer: Localizer, max_frames: int, suffixes: tuple[str, ...]) -> dict:
    """False alarms on real CC-BY face video (the clips of these suffixes in FACE_VIDEOS), and how much of
    the main face's crop the flagged regions cover on the flagged frames."""
    flags, faces, shares = [], 0, []
    paths = [path for suffix in suffixes for path in sorted(FACE_VIDEOS.rglob(f"*{suffix}"))]
    for path in paths:
        frames = [f for f in _frames(localizer, path, max_frames) if f.face_found]
        flags += [f.is_fake for f in frames]
        faces += len(frames)
        for frame in (f for f in frames if f.is_fake):
            x0, y0, x1, y1 = frame.box
            shares.append(sum(r.area for r in frame.regions) / max(1, (x1 - x0) * (y1 - y0)))
    return {
        "videos": len(paths),
        "frames_with_face": faces,
        "flagged": round(float(np.mean(flags)), 3) if flags else None,
        "flagged_region_share_of_crop_p10_p50_p90": (
            [round(float(q), 3) for q in np.percentile(shares, [10, 50, 90])] if shares else None
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="bundle (default: the bundled default model)")
    parser.add_argument("--max-frames", type=int, default=16)
    parser.add_argument("--json", help="also write the figures here")
    parser.add_argument("--skip-face-videos", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    yunet = DATA / "detectors" / "yunet" / "yunet_s_640_640.onnx"
    if yunet.is_file():
        os.environ.setdefault("FORGELOC_FACE_MODEL", str(yunet))
    localizer = Localizer.load(Path(args.model) if args.model else default_bundle_path(), InferenceConfig())
    figures = {
        "model": str(args.model or default_bundle_path()),
        "max_frames": args.max_frames,
        "ffpp_c23": ffpp(localizer, args.max_frames),
        "dfdc": dfdc(localizer, args.max_frames),
        "ffpp_readme_frames": readme_frames(localizer),
    }
    if not args.skip_face_videos:
        figures["real_face_videos"] = face_videos(localizer, args.max_frames, (".mp4", ".mkv"))
        # Intel's GIF previews (read since GIFs are videos; kept apart so that the clips' figure stays
        # comparable with earlier models')
        figures["real_face_gifs"] = face_videos(localizer, args.max_frames, (".gif",))
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")


if __name__ == "__main__":
    main()
