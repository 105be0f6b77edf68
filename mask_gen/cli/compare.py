"""`forgeloc compare SUSPECT SOURCE --out DIR`: what was changed in a suspect clip or image, against the
source it was made from (other start, frame rate, scale, crop, letterbox, mirror, encoding)."""

from __future__ import annotations

import argparse
import sys

ON_INTERRUPT = "interrupted: nothing was written (DIR is as it was)"
NOT_SAME_FOOTAGE = 3  # exit code when the two inputs are not the same footage


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("suspect", help="the suspicious video or image")
    parser.add_argument("source", help="the video or image it is thought to be made from")
    parser.add_argument("--out", required=True, help="output folder (results.json, masks/, report.html)")
    sampling = parser.add_mutually_exclusive_group()
    sampling.add_argument(
        "--frames", type=int, default=32, help="suspect frames analysed, evenly spaced (default 32)"
    )
    sampling.add_argument("--every", type=int, default=0, help="analyse every k-th suspect frame instead")


def run(args: argparse.Namespace) -> int:
    from mask_gen.compare.pairing import CompareConfig, NotSameFootage
    from mask_gen.compare.session import compare

    try:
        results = compare(
            args.suspect, args.source, args.out, CompareConfig(frames=args.frames, every=args.every)
        )
    except NotSameFootage as error:
        print(f"forgeloc compare: {error}", file=sys.stderr)
        return NOT_SAME_FOOTAGE
    compared = [f for f in results["frames"] if f["region_fraction"] is not None]
    changed = sum(f["region_fraction"] > 0 for f in compared)
    print(
        f"same footage: t_source = {results['rate']:g} x t_suspect {results['offset_s']:+.3f} s "
        f"(confidence {results['confidence']:.2f}){', mirrored' if results['mirrored'] else ''}"
    )
    print(f"{len(results['frames'])} frame(s) analysed, {changed} with a changed region", end="")
    print(
        f", {results['frames_without_counterpart']} without a counterpart"
        if results["frames_without_counterpart"]
        else ""
    )
    print(f"results: {args.out}/results.json\nreport:  {args.out}/report.html")
    return 0
