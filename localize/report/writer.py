"""results.json and report.html: what an analyst files. The HTML is one self-contained file (images
embedded as data URIs, no script, nothing fetched), rendered with Jinja2; the timeline with matplotlib."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import cv2

from localize.common.atomic import write_text_atomic
from localize.media.images import encode_jpeg, read_image
from localize.report.templating import html_environment

STRIP_FRAMES = 6
STRIP_WIDTH = 480
# inputs whose sections carry pictures (a timeline and thumbnails, about 0.1-0.5 MB each), in the order to
# examine them: a case of thousands of photos still makes a report a browser opens
MAX_PICTURED_INPUTS = 300


def write_results(out: Path, results: dict) -> Path:
    """OUT/results.json, atomically."""
    path = out / "results.json"
    write_text_atomic(path, json.dumps(results, indent=2) + "\n")
    return path


def timeline_png(frames: list[dict], threshold: float) -> str:
    """Base64 PNG of frame scores over time against the threshold (fake frames marked)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    times = [f["time"] for f in frames]
    scores = [f["score"] for f in frames]
    figure, axes = plt.subplots(figsize=(8, 2.4), dpi=100)
    axes.plot(times, scores, "-o", markersize=3, color="#34495e", label="frame score")
    fake = [(t, s) for t, s, f in zip(times, scores, frames, strict=True) if f["is_fake"]]
    if fake:
        axes.plot(*zip(*fake, strict=True), "o", color="#c0392b", markersize=5, label="judged fake")
    axes.axhline(threshold, color="#c0392b", linestyle="--", linewidth=1, label=f"threshold {threshold}")
    axes.set_ylim(-0.02, 1.02)
    axes.set_xlabel("time (s)")
    axes.set_ylabel("P(fake)")
    axes.legend(loc="upper right", fontsize=7)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def _thumbnail(path: Path) -> str:
    """Base64 JPEG of an overlay at most STRIP_WIDTH wide: the report shows it, the PNG beside results.json
    is the evidence (a PNG thumbnail of a noisy 4K frame is 0.7 MB, and a case may hold hundreds)."""
    image = read_image(path)
    if image.shape[1] > STRIP_WIDTH:
        height = max(1, round(image.shape[0] * STRIP_WIDTH / image.shape[1]))  # a 2x3000 frame too
        image = cv2.resize(image, (STRIP_WIDTH, height), interpolation=cv2.INTER_AREA)
    return base64.b64encode(encode_jpeg(image)).decode()


def _fake_frames(item: dict) -> int:
    """How many of an input's analysed frames are judged fake."""
    return sum(f["is_fake"] for f in item.get("frames", []))


def _view(item: dict, out: Path, threshold: float, pictures: bool = True) -> dict:
    """What the template shows of one input (without its timeline and thumbnails when not `pictures`)."""
    frames = item.get("frames", [])
    view = {**item, "name": Path(item["path"]).name, "pictures": pictures}
    view["fake_frames"] = _fake_frames(item)
    view["timeline"] = timeline_png(frames, threshold) if len(frames) > 1 and pictures else ""
    pictured = [f for f in frames if f.get("overlay")] if pictures else []  # --evidence fake/none: fewer
    top = sorted(pictured, key=lambda f: f["score"], reverse=True)[:STRIP_FRAMES]
    view["strip"] = [
        {"index": f["index"], "score": f["score"], "jpeg": _thumbnail(out / f["overlay"])} for f in top
    ]
    view["regions"] = [
        {"index": f["index"], "time": f["time"], **region} for f in frames for region in f["regions"]
    ]
    return view


def triage(inputs: list[dict]) -> list[dict]:
    """One row per input for the report's opening table, in the order to examine them: FAKE, then
    FAILED, then REAL, each by its highest frame score; `number` is the input's place in the report."""
    rank = {"FAKE": 0, "FAILED": 1, "REAL": 2}
    rows = [
        {
            "number": number,
            "name": Path(item["path"]).name,
            "verdict": item["verdict"],
            "frames": len(item.get("frames", [])),
            "fake_frames": _fake_frames(item),
            "top": max((f["score"] for f in item.get("frames", [])), default=None),
        }
        for number, item in enumerate(inputs, start=1)
    ]
    return sorted(rows, key=lambda r: (rank.get(r["verdict"], 1), -(r["top"] or 0.0), r["number"]))


def write_report(out: Path, results: dict) -> Path:
    """OUT/report.html from the results (and the overlay PNGs they name)."""
    environment = html_environment("localize.report")
    threshold = results["parameters"]["threshold"]
    rows = triage(results["inputs"])
    pictured = {row["number"] for row in rows[:MAX_PICTURED_INPUTS]}  # the first to examine
    inputs = [
        _view(item, out, threshold, number in pictured)
        for number, item in enumerate(results["inputs"], start=1)
    ]
    counts = {v: sum(item["verdict"] == v for item in inputs) for v in ("FAKE", "REAL", "FAILED")}
    html = environment.get_template("report.html.j2").render(
        **{**results, "inputs": inputs, "counts": counts, "triage": rows, "max_pictured": MAX_PICTURED_INPUTS}
    )
    path = out / "report.html"
    write_text_atomic(path, html)
    return path
