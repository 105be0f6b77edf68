"""`forgeloc inspect PATH... --out DIR`: per-frame masks and overlays, verdicts, results.json, report.html."""

from __future__ import annotations

import argparse
import datetime
import errno
import logging
import shutil
import sys
import time
from pathlib import Path

from localize import __version__
from localize.cli.inputs import media_files
from localize.cli.records import Sampling, frame_entry, model_entry, parameters
from localize.cli.resume import file_digest, finished_entries, frames_folder, frames_present
from localize.common.checksum import sha256_of
from localize.common.errors import ConfigError, ForgelocError, MediaError
from localize.media.images import DEFAULT_MAX_PIXELS, write_png

log = logging.getLogger(__name__)

# which analysed frames get their overlay and mask images in OUT/frames/ (--evidence): every one, those judged
# fake, or none (a 1080p overlay is about 1.3 MB: every frame of ten minutes at 30 fps is 23 GB)
EVIDENCE = {
    "all": lambda prediction: True,
    "fake": lambda prediction: prediction.is_fake,
    "none": lambda prediction: False,
}
_NO_ROOM = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}  # a full disk, a quota, a read-only file system
# results.json is rewritten whole: after every input, 10,000 photos (about 1 kB each) would write 50 GB
RESULTS_EVERY_S = 5.0
SCREEN_INPUTS = 100  # inputs listed one by one on the closing screen; past that, only those not judged REAL
ON_INTERRUPT = (
    "interrupted: the inputs finished so far are in --out's results.json; run the same command again to go on"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", help="images, videos, or folders of them")
    parser.add_argument(
        "--out",
        required=True,
        help="output folder (frames/, results.json, report.html); when it holds an earlier run with the same "
        "model and settings, inputs it finished (same file contents) are kept, not analysed again",
    )
    parser.add_argument(
        "--model", help="model bundle (NAME, NAME.json or NAME.safetensors); default: bundled"
    )
    parser.add_argument(
        "--crop", choices=["face", "none"], help="crop on the face or use whole frames (default: as trained)"
    )
    parser.add_argument(
        "--margin",
        type=float,
        help="crop side / YuNet face box height (default: as trained, from the bundle)",
    )
    add_face_arguments(parser)
    parser.add_argument(
        "--max-faces", type=int, default=1, help="faces analysed per frame, largest first (default 1)"
    )
    sampling = parser.add_mutually_exclusive_group()
    sampling.add_argument("--every", type=int, default=0, help="analyse every k-th frame")
    sampling.add_argument("--fps", type=float, default=0, help="analyse this many frames per second")
    parser.add_argument(
        "--max-frames", type=int, default=32, help="frames per video (default 32, evenly spaced)"
    )
    parser.add_argument(
        "--evidence",
        choices=list(EVIDENCE),
        default="all",
        help="which analysed frames get overlay and mask images in OUT/frames: all (default), fake (those "
        "judged fake: for --every 1 on long video) or none",
    )
    parser.add_argument("--threshold", type=float, help="frame threshold on P(fake) (default: the bundle's)")
    parser.add_argument(
        "--mask-threshold",
        type=float,
        help="a fake frame's mask grows through the connected pixels above this P(fake) (default: the "
        "bundle's, else the frame threshold)",
    )
    parser.add_argument(
        "--min-region", type=int, help="smallest suspicious region in px (default: the bundle's)"
    )
    parser.add_argument("--min-fake-fraction", type=float, help="video rule (default: the bundle's, 0.5)")
    parser.add_argument("--max-pixels", type=int, default=DEFAULT_MAX_PIXELS, help="refuse larger images")
    parser.add_argument(
        "--runtime",
        choices=["auto", "torch", "onnx"],
        default="auto",
        help="what runs the model (default auto: onnxruntime when the bundle has NAME.onnx, and for the bundled default)",
    )
    parser.add_argument(
        "--flip-average",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also run each crop mirrored and average the maps (default: as the bundle records; its "
        "thresholds were searched that way). --no-flip-average halves the model's cost",
    )


def add_face_arguments(parser: argparse.ArgumentParser) -> None:
    """--face-detector and --face-model (inspect and mask-gen)."""
    from localize.faces.detectors import list_detectors

    parser.add_argument(
        "--face-detector",
        choices=list_detectors(),
        default="yunet",
        help="face detector (default yunet; falls back to lbp, saying so, when its model file cannot be had)",
    )
    parser.add_argument(
        "--face-model",
        help="YuNet's .onnx file (default: $FORGELOC_FACE_MODEL, else the installed package's copy, else the cache $FORGELOC_HOME)",
    )


def _analyse(
    localizer, path: Path, number: int, out: Path, args: Sampling, digest: str = "", evidence: str = "all"
) -> dict:
    """Run one input, writing its frame images (of the frames EVIDENCE[evidence] keeps); the results entry
    (status failed on bad input). `digest`: the file's SHA-256 when the caller has it already."""
    from tqdm import tqdm

    from localize.report.overlay import overlay

    entry = {"path": str(path), "sha256": "", "status": "ok", "error": "", "verdict": "FAILED", "frames": []}
    folder = frames_folder(out, number, path)
    keep, written = EVIDENCE[evidence], set()

    def write_evidence(prediction) -> None:  # frames are streamed: each is written as soon as it is judged
        progress.update()
        if not keep(prediction):
            return
        written.add(prediction.index)
        name = f"frame_{prediction.index:06d}"
        write_png(
            folder / f"{name}.png",
            overlay(
                prediction.image, prediction.prob, prediction.mask, prediction.faces, prediction.landmarks
            ),
        )
        write_png(folder / f"{name}.mask.png", prediction.mask)

    recorder = _Warnings(path)  # what the console says about this input goes into its record too
    logging.getLogger("localize").addHandler(recorder)
    try:
        if not path.is_file():
            raise MediaError("file not found", path)
        entry["sha256"] = digest or sha256_of(path)
        plan = localizer.plan(path, args.every, args.fps, args.max_frames)
        # a video's own bar under the inputs' one: a long video at --every 1 shows it is moving, and when
        # it will be done
        with tqdm(
            total=len(plan.indices),
            desc=path.name,
            unit="frame",
            leave=False,
            file=sys.stderr,
            disable=len(plan.indices) < 2,
        ) as progress:
            video = localizer.predict_video(path, on_frame=write_evidence, plan=plan)
    except ForgelocError as error:
        entry.update(status="failed", error=str(error), warnings=recorder.messages)
        return entry
    except OSError as error:
        if error.errno in _NO_ROOM:  # nothing more can be written: the run stops, in one line
            raise
        entry.update(status="failed", error=f"{path}: {error.strerror or error}", warnings=recorder.messages)
        return entry
    except Exception as error:  # a bug or an unforeseen file must not lose the other inputs' results
        log.exception("inspect failed on %s", path)
        entry.update(status="failed", error=f"{path}: unexpected {type(error).__name__}: {error}")
        return entry
    finally:
        logging.getLogger("localize").removeHandler(recorder)
    relative = folder.relative_to(out)
    entry.update(
        frames=[frame_entry(f, relative if f.index in written else None) for f in video.frames],
        verdict="FAKE" if video.is_fake else "REAL",
        fake_fraction=round(video.fake_fraction, 4),
        no_face_frames=sum(not f.face_found for f in video.frames) if localizer.crop_mode == "face" else 0,
        frames_sampled=video.frames_sampled,
        warnings=recorder.messages,
    )
    return entry


class _Warnings(logging.Handler):
    """The warnings forgeloc logs while one input is analysed (a video that ends early, decoding that
    stopped, an animated image read as its first frame...), each once, without the input's path."""

    def __init__(self, path: Path) -> None:
        super().__init__(logging.WARNING)
        self.prefix = f"{path}: "
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().removeprefix(self.prefix)
        if message not in self.messages:
            self.messages.append(message)


def refuse_if_none_readable(inputs: list[Path]) -> None:
    """Raise the reason (MediaError naming the file) when not one input can be read as an image or a
    video; returns at the first that can (its header or container alone is read)."""
    from localize.media.reader import media_info

    errors = []
    for path in inputs:
        try:
            media_info(path)
            return
        except ForgelocError as error:
            errors.append(error)
    if len(errors) == 1:
        raise errors[0]
    listed = "; ".join(str(error) for error in errors[:3])
    more = f"; and {len(errors) - 3} more" if len(errors) > 3 else ""
    raise MediaError(f"none of the {len(errors)} inputs can be read: {listed}{more}")


def inspect(
    paths: list[str | Path],
    out: str | Path,
    config=None,
    model: str | Path | None = None,
    sampling: Sampling = Sampling(),
    evidence: str = "all",
) -> dict:
    """Analyse images and videos (files or folders) into OUT (frames/, results.json, report.html); the
    results. `config` is a localize.inference.localizer.InferenceConfig (default: everything as the bundle says);
    `model` a bundle (default: the bundled default model); `evidence` which frames' images are written
    (a key of EVIDENCE: all, fake or none). A bad input is listed as failed, never raised;
    paths that hold no image or video at all raise MediaError before the model loads."""
    from tqdm import tqdm

    from localize.inference.localizer import InferenceConfig, Localizer, default_bundle_path
    from localize.report.writer import write_report, write_results

    if evidence not in EVIDENCE:
        raise ConfigError(f"evidence must be one of {', '.join(EVIDENCE)}, got {evidence!r}")
    # before the model loads: nothing to analyse is one line
    inputs = media_files([str(p) for p in paths], Path(out))
    refuse_if_none_readable(inputs)  # a lone bad file is one line, before the model's memory is taken
    bundle_path = Path(model) if model else default_bundle_path()
    localizer = Localizer.load(bundle_path, config or InferenceConfig())
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError("--out names a file, not a folder", out)
    out.mkdir(parents=True, exist_ok=True)
    results = {
        "toolkit": {"name": "forgeloc", "version": __version__},
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "model": model_entry(localizer, bundle_path),
        "parameters": parameters(localizer, sampling, evidence),
        "inputs": [],
    }
    finished = finished_entries(out / "results.json", results)
    kept, written = 0, time.monotonic()
    try:
        for number, path in enumerate(tqdm(inputs, desc="inputs", unit="file", file=sys.stderr), start=1):
            entry = finished.get((number, str(path)))
            digest = file_digest(path) if entry is not None else ""  # hashed once, kept or not
            if entry is not None and digest == entry.get("sha256") and frames_present(entry, out):
                kept += 1
            else:
                shutil.rmtree(frames_folder(out, number, path), ignore_errors=True)  # no stale frames
                entry = _analyse(localizer, path, number, out, sampling, digest, evidence)
            if entry["status"] == "failed":
                tqdm.write(f"skipped: {entry['error']}", file=sys.stderr)
            results["inputs"].append(entry)
            if time.monotonic() - written >= RESULTS_EVERY_S:  # not after every input: the file grows
                write_results(out, results)
                written = time.monotonic()
    finally:  # done, or interrupted: the inputs finished so far are on record
        write_results(out, results)
    if kept:
        log.info(
            "%d of %d input(s) kept from the earlier run in %s (same model, settings and file)",
            kept,
            len(inputs),
            out,
        )
    results["report"] = str(write_report(out, results))
    return results


def print_results(results: dict, out: str | Path) -> int:
    """The closing screen (verdict per input, detector, where the files are); the exit code. Past
    SCREEN_INPUTS inputs, those judged REAL are counted, not listed."""
    inputs = results["inputs"]
    listed = [e for e in inputs if e["verdict"] != "REAL"] if len(inputs) > SCREEN_INPUTS else inputs
    print(f"\n{'verdict':8} {'fake frames':>12}  input")
    for entry in listed:
        frames = entry["frames"]
        fakes = f"{sum(f['is_fake'] for f in frames)}/{len(frames)}" if entry["status"] == "ok" else "-"
        missing = entry.get("no_face_frames", 0)
        note = f"  (no face in {missing} of {len(frames)} frame(s): whole frame analysed)" if missing else ""
        if len(frames) < entry.get("frames_sampled", 0):  # a video that ends before its header's count
            note += f"  (ends early: {len(frames)} of {entry['frames_sampled']} frames sampled were there)"
        print(f"{entry['verdict']:8} {fakes:>12}  {entry['path']}{note}")
    if len(listed) < len(inputs):
        print(
            f"{'REAL':8} {'':>12}  {len(inputs) - len(listed)} more input(s) judged real: listed in the report"
        )
    faces = results["parameters"].get("face_detector")
    if faces:
        print(f"\nfaces:   {faces['detector']} ({faces['sha256']})", end="")
    print(f"\nresults: {Path(out) / 'results.json'}\nreport:  {results['report']}")
    failed = sum(entry["status"] == "failed" for entry in results["inputs"])
    if failed:
        print(f"{failed} input(s) could not be analysed (listed above)")
    return 1 if failed or not results["inputs"] else 0


def run(args: argparse.Namespace) -> int:
    from localize.inference.localizer import InferenceConfig

    config = InferenceConfig(
        crop=args.crop,
        margin=args.margin,
        detector=args.face_detector,
        face_model=args.face_model,
        threshold=args.threshold,
        mask_threshold=args.mask_threshold,
        min_region_px=args.min_region,
        min_fake_fraction=args.min_fake_fraction,
        max_pixels=args.max_pixels,
        runtime=args.runtime,
        max_faces=args.max_faces,
        flip_average=args.flip_average,
    )
    sampling = Sampling(args.every, args.fps, args.max_frames)
    results = inspect(args.paths, args.out, config, args.model, sampling, args.evidence)
    return print_results(results, args.out)
