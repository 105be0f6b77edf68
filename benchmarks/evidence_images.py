"""What `forgeloc inspect` spends on each frame's evidence images (overlay, its PNG and the mask's PNG)
at frame sizes from 720p to a 12-megapixel photo (a photo with a little noise, not random pixels, which
no PNG compresses), with one face's crop carrying P(fake) as in crop="face":
localize.report.overlay.overlay (the heatmap blended only inside the window where P(fake) > 0) against the same
blend over the whole frame, the baseline, in the same run. Both give the same pixels (checked).

Run: python benchmarks/evidence_images.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import time

import cv2
import numpy as np

SIZES = {"720p": (720, 1280), "1080p": (1080, 1920), "4K": (2160, 3840), "12 MP photo": (3000, 4000)}


def whole_frame_overlay(rgb: np.ndarray, prob: np.ndarray, mask: np.ndarray, box) -> np.ndarray:
    """The baseline: the heatmap computed and blended over every pixel of the frame."""
    p = np.clip(prob, 0, 1)
    heat = cv2.cvtColor(cv2.applyColorMap((p * 255).astype(np.uint8), cv2.COLORMAP_JET), cv2.COLOR_BGR2RGB)
    alpha = (0.6 * p)[..., None]
    out = (rgb.astype(np.float32) * (1 - alpha) + heat.astype(np.float32) * alpha).astype(np.uint8)
    thickness = max(1, round(max(rgb.shape[:2]) / 300))
    x0, y0, x1, y1 = box
    cv2.rectangle(out, (x0, y0), (x1 - 1, y1 - 1), (255, 255, 255), thickness)
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(out, contours, -1, (255, 0, 0), thickness + 1)
    return out


def frame_with_face(height: int, width: int, rng: np.random.Generator):
    """A frame (scikit-image's astronaut photo resized to fill it, with a little sensor noise), a P(fake)
    map that is zero outside a face crop a third of the frame high, its mask and the crop's box."""
    from mask_gen.synth.sources import bundled_photos

    photo = cv2.resize(bundled_photos()["astronaut"], (width, height), interpolation=cv2.INTER_CUBIC)
    rgb = np.clip(photo + rng.normal(0, 2, photo.shape), 0, 255).astype(np.uint8)
    side = height // 3
    y0, x0 = height // 3, width // 2 - side // 2
    prob = np.zeros((height, width), np.float32)
    prob[y0 : y0 + side, x0 : x0 + side] = cv2.GaussianBlur(rng.random((side, side), np.float32), (0, 0), 9)
    mask = prob > 0.5
    return rgb, prob, mask, (x0, y0, x0 + side, y0 + side)


def main() -> None:
    from localize.media.images import encode_png
    from localize.report.overlay import overlay

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per row; the median counts")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(
        "| frame | whole-frame blend ms | overlay ms | ratio | with both PNGs: baseline ms | forgeloc ms | ratio |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, (height, width) in SIZES.items():
        rgb, prob, mask, box = frame_with_face(height, width, rng)
        frame = (rgb, prob, mask, box)
        runs = {
            "baseline": whole_frame_overlay,
            "overlay": lambda rgb, prob, mask, box: overlay(rgb, prob, mask, [box]),
        }
        assert np.array_equal(runs["baseline"](*frame), runs["overlay"](*frame)), (
            "the two draw the same pixels"
        )
        times: dict[str, list[float]] = {f"{k}{png}": [] for k in runs for png in ("", "+png")}
        for _ in range(args.repeats):
            for key, run in runs.items():
                start = time.perf_counter()
                drawn = run(*frame)
                middle = time.perf_counter()
                encode_png(drawn), encode_png(mask)
                end = time.perf_counter()
                times[key].append(middle - start)
                times[f"{key}+png"].append(end - start)
        ms = {key: float(np.median(values)) * 1000 for key, values in times.items()}
        print(
            f"| {name} | {ms['baseline']:.0f} | {ms['overlay']:.0f} | {ms['baseline'] / ms['overlay']:.1f}x "
            f"| {ms['baseline+png']:.0f} | {ms['overlay+png']:.0f} | {ms['baseline+png'] / ms['overlay+png']:.1f}x |"
        )


if __name__ == "__main__":
    main()
