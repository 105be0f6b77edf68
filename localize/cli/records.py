"""The records `forgeloc inspect` writes into results.json: how frames are sampled, each analysed
frame's entry, the run's parameters and the model's entry (checksums, runtime, limits)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from localize.common.checksum import sha256_of
from localize.common.errors import ConfigError


@dataclass(frozen=True)
class Sampling:
    """Which frames of a video are analysed: every k-th, `fps` per second, or `max_frames` evenly spaced."""

    every: int = 0
    fps: float = 0.0
    max_frames: int = 32

    def __post_init__(self) -> None:
        if self.every < 0 or self.max_frames < 0 or not 0.0 <= self.fps < float("inf"):
            raise ConfigError(
                f"--every, --fps and --max-frames must be >= 0 (0: off), got {self.every}, {self.fps}, "
                f"{self.max_frames}"
            )


def frame_entry(frame, images: Path | None) -> dict:
    """results.json's record of one analysed frame (a FrameSummary); `images`: the folder, relative to
    OUT, holding its overlay and mask, None when they were not kept."""
    name = f"frame_{frame.index:06d}"
    return {
        "index": frame.index,
        "time": round(frame.time, 3),
        "box": list(frame.box),
        "faces": [list(face) for face in frame.faces],
        "landmarks": [
            None if marks is None else [[round(x, 1), round(y, 1)] for x, y in marks]
            for marks in frame.landmarks
        ],
        "face_found": frame.face_found,
        "score": round(frame.score, 4),
        "is_fake": frame.is_fake,
        "regions": [{**asdict(r), "box": list(r.box), "peak": round(r.peak, 4)} for r in frame.regions],
        "overlay": f"{images}/{name}.png" if images is not None else None,
        "mask": f"{images}/{name}.mask.png" if images is not None else None,
    }


def parameters(localizer, args: Sampling, evidence: str) -> dict:
    """results.json's "parameters": how the run cropped, sampled and judged (the localizer's settings)."""
    from localize.faces.detectors import describe

    return {
        "crop": localizer.crop_mode,
        "max_faces": localizer.config.max_faces,
        "margin": round(localizer.margin, 4),
        "face_detector": describe(localizer.detector) if localizer.detector is not None else None,
        "preprocessing": localizer.bundle.preprocessing.to_dict(),
        "flip_average": localizer.bundle.flip_average,
        "every": args.every,
        "fps": args.fps,
        "max_frames": args.max_frames,
        "evidence": evidence,
        "threshold": localizer.threshold,
        "mask_threshold": localizer.mask_threshold,
        "min_region_px": localizer.min_region_px,
        "min_fake_fraction": localizer.min_fake_fraction,
        "max_pixels": localizer.config.max_pixels,
    }


def model_entry(localizer, bundle_path: Path) -> dict:
    """results.json's "model": the bundle, its runtime, checksums, thresholds and stated limits."""
    from localize.inference.bundle import bundle_paths
    from localize.inference.onnx_runtime import runtime_of

    json_path, weights_path = bundle_paths(bundle_path)
    checksums = {"json": sha256_of(json_path), "weights": sha256_of(weights_path)}
    if localizer.bundle.session is not None:  # the session was built only after checking the file against it
        checksums["onnx"] = localizer.bundle.meta["onnx"]["sha256"]
    entry = {
        "bundle": str(json_path),
        "model": localizer.bundle.meta["model"],
        "runtime": runtime_of(localizer.bundle),
        "sha256": checksums,
        "thresholds": localizer.bundle.thresholds,
    }
    if localizer.bundle.limits:  # the model's stated limits travel with every verdict it gives
        entry["limits"] = list(localizer.bundle.limits)
    return entry
