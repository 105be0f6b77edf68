"""`forgeloc synth`: synthetic real/fake sets with exact masks in the public layouts."""

from __future__ import annotations

import argparse

from mask_gen.synth.layouts import LAYOUTS, SynthConfig, write_synthetic
from mask_gen.synth.manipulations import MANIPULATIONS
from mask_gen.synth.video import MotionConfig

# the recipes of DEGRADE_PRESETS in a line each, for --help without importing albumentations (a test keeps
# the two in step)
DEGRADE_NOTES = {
    "stills": "the default: studio photos compressed as stills",
    "footage": "codecs at the face's size on predicted frames, motion blur, lighting, roll",
    "scenes": "footage, and a defocused or textured background behind half the people",
    "footage_far": "footage, and 30 %% of the faces 28-70 px wide in the frame",
    "footage_soft": "footage_far, and a quarter of the crops out of focus",
    "footage_hard": "footage_soft, and 30 %% of the compressed crops coded as a starved stream",
    "footage_sharp": "footage_hard, and a quarter of the crops sharpened with halos",
    "footage_denoised": "footage_hard, and 30 %% of the crops smoothed edge-preservingly as webcams denoise",
}


def _csv(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", help="folder to write OUT/<layout>/ into")
    parser.add_argument(
        "--layout", default="all", help=f"comma list of {', '.join(LAYOUTS)}, or all (default)"
    )
    parser.add_argument("--videos", type=int, default=4, help="real source videos per layout (default 4)")
    parser.add_argument("--kinds", default=",".join(MANIPULATIONS), help="manipulations (default: all)")
    parser.add_argument("--frames", type=int, default=48, help="frames per clip (default 48)")
    parser.add_argument("--size", default="320x240", help="frame size WxH, even sides (default 320x240)")
    parser.add_argument("--crf", default="23,40", help="H.264 CRF levels, FF++ c23/c40 (default 23,40)")
    parser.add_argument("--photos", help="folder of real photographs to fake (default: scikit-image's)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (--self-blend: of the first draw)")
    parser.add_argument(
        "--self-blend",
        metavar="FACES",
        help="instead: self-blended crops (mask-gen format) of a folder of real face photos with index.csv",
    )
    parser.add_argument("--input-size", type=int, default=128, help="--self-blend crop side (default 128)")
    parser.add_argument("--margin", type=float, default=1.3, help="--self-blend crop margin (default 1.3)")
    parser.add_argument("--splits", default="val", help="--self-blend splits to write (default val)")
    parser.add_argument("--draws", type=int, default=1, help="--self-blend real/fake pairs per photo")
    parser.add_argument(
        "--degrade",
        default="stills",
        help="--self-blend degradation recipe (mask_gen.synth.selfblend.degrade.DEGRADE_PRESETS): "
        + "; ".join(f"{name} ({note})" for name, note in DEGRADE_NOTES.items()),
    )
    parser.add_argument(
        "--forgery",
        default="self_blend",
        help="--self-blend fakes: self_blend (default), or a forgery the training never makes, for "
        "validation: donor_poisson (another person's face), recolour, tone_warp, rendered_swap (another "
        "person's face drawn at low resolution, as FaceSwap renders), mouth_rerender (the mouth re-drawn "
        "smooth, as NeuralTextures)",
    )
    parser.add_argument(
        "--val-fraction", type=float, default=0.1, help="--self-blend share of people held out (default 0.1)"
    )
    parser.add_argument(
        "--face-index",
        metavar="SOURCE",
        help="instead: index the faces of any folder of real photos or videos into OUT (index.csv, photos, "
        "video frames) for --self-blend and SelfBlendDataModule",
    )
    parser.add_argument(
        "--frames-per-video", type=int, default=8, help="--face-index frames taken per video (default 8)"
    )
    parser.add_argument(
        "--face-model",
        help="--face-index: YuNet's .onnx file (default: $FORGELOC_FACE_MODEL, else the installed package's copy, else the cache)",
    )


def _face_index(args: argparse.Namespace) -> int:
    from localize.faces.detectors import build_detector
    from mask_gen.synth.selfblend.face_index import IndexConfig, index_faces

    config = IndexConfig(frames_per_video=args.frames_per_video)
    summary = index_faces(args.face_index, args.out, build_detector("yunet", args.face_model), config)
    print(
        f"face index: {summary.index} ({summary.photos} photos, {summary.frames} video frames, "
        f"{summary.skipped} files skipped)"
    )
    return 0


def _self_blend(args: argparse.Namespace) -> int:
    from localize.inference.preprocess import Preprocessing
    from mask_gen.synth.selfblend.degrade import degrade_preset
    from mask_gen.synth.selfblend.sampler import write_self_blend_dataset

    degrade = degrade_preset(args.degrade)
    record = Preprocessing(margin=args.margin, input_size=(args.input_size, args.input_size))
    manifest = write_self_blend_dataset(
        args.self_blend,
        args.out,
        record,
        tuple(_csv(args.splits)),
        args.draws,
        args.val_fraction,
        degrade=degrade,
        first_seed=args.seed,
        forgery=args.forgery,
    )
    print(
        f"self-blend set: {manifest} (splits {args.splits}, {args.draws} draw(s) per photo, {args.forgery}, "
        f"{args.degrade})"
    )
    return 0


def run(args: argparse.Namespace) -> int:
    from localize.common.errors import ConfigError

    if args.face_index:
        return _face_index(args)
    if args.self_blend:
        return _self_blend(args)

    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
        crfs = tuple(int(v) for v in _csv(args.crf))
    except ValueError:
        raise ConfigError(
            f"--size must be WxH and --crf a comma list of integers, got {args.size!r}, {args.crf!r}"
        ) from None
    config = SynthConfig(
        videos=args.videos,
        kinds=tuple(_csv(args.kinds)),
        motion=MotionConfig(frames=args.frames, width=width, height=height),
        crfs=crfs,
        seed=args.seed,
        photos=args.photos,
    )
    layouts = list(LAYOUTS) if args.layout == "all" else _csv(args.layout)
    folders = write_synthetic(args.out, layouts, config)
    for layout, folder in folders.items():
        print(f"{layout:8s} {folder}")
    print(f"exact masks: <layout>/ground_truth/<fake path>.npz   (seed {args.seed})")
    return 0
