"""The compare report: one self-contained HTML page (pictures inline, every value escaped)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import cv2
import numpy as np

from localize.common.atomic import write_text_atomic
from localize.media.images import encode_jpeg
from localize.report.templating import html_environment

PICTURE_WIDTH = 1000  # the suspect and the warped source side by side


def evidence_picture(suspect: np.ndarray, warped: np.ndarray, mask: np.ndarray) -> str:
    """Base64 JPEG: the suspect with the changed regions outlined in red beside the warped source."""
    outlined = suspect.copy()
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(outlined, contours, -1, (255, 0, 0), max(2, round(max(suspect.shape[:2]) / 300)))
    both = np.concatenate([outlined, warped], axis=1)
    scale = min(1.0, PICTURE_WIDTH / both.shape[1])
    if scale < 1.0:
        size = (round(both.shape[1] * scale), max(1, round(both.shape[0] * scale)))
        both = cv2.resize(both, size, interpolation=cv2.INTER_AREA)
    return base64.b64encode(encode_jpeg(both, 85)).decode()


def timeline_png(frames: list[dict]) -> str | None:
    """Base64 PNG of each analysed frame's changed share over suspect time (None for one frame)."""
    points = [(f["time"], f["region_fraction"] * 100) for f in frames if f["region_fraction"] is not None]
    if len(points) < 2:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 2.4), dpi=100)
    axes.plot(*zip(*points, strict=True), "-o", markersize=3, color="#c0392b")
    axes.set_xlabel("suspect time (s)")
    axes.set_ylabel("changed (% of frame)")
    axes.set_ylim(bottom=0)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def write_report(path: Path, results: dict, pictures: list[tuple[int, str]]) -> Path:
    """Write the report of `results` with the given (frame index, picture) pairs to `path`."""
    by_index = {f["index"]: f for f in results["frames"]}
    shots = [
        {
            "index": index,
            "time": by_index[index]["time"],
            "source_time": by_index[index]["source_time"],
            "fraction": by_index[index]["region_fraction"],
            "jpeg": jpeg,
        }
        for index, jpeg in pictures
    ]
    fractions = [f["region_fraction"] for f in results["frames"] if f["region_fraction"] is not None]
    page = (
        html_environment("mask_gen")
        .get_template("compare.html.j2")
        .render(
            r=results,
            shots=shots,
            timeline=timeline_png(results["frames"]),
            changed=sum(f > 0 for f in fractions),
            largest=max(fractions, default=0.0),
        )
    )
    write_text_atomic(path, page)
    return path
