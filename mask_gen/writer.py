"""Write a training set: images/, masks/, manifest.csv; resumable, shardable, parallel.

Each finished pair leaves a record in OUT/.parts/ (written last and atomically, after its images and
masks), so a killed run restarts where it stopped. manifest.csv is rebuilt from all records at the end
of every run, in pair order, with duplicate frames (same SHA-256 of the crop) kept once.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from localize.common.atomic import write_text_atomic
from localize.common.errors import ConfigError, ForgelocError
from localize.faces.tracker import FaceDetector
from localize.media.images import write_png
from mask_gen.config import MaskGenConfig
from mask_gen.datasets.pair import Pair, split_of
from mask_gen.manifest import MANIFEST_COLUMNS, read_manifest, write_manifest  # noqa: F401 (re-exported)
from mask_gen.pipeline import Sample, process_group
from mask_gen.resume import check_settings, settings_of
from mask_gen.shards import parse_shard, shard_pairs  # noqa: F401 (re-exported)
from mask_gen.workers import _init_worker

PARTS = ".parts"
AGREEMENT = "mask_agreement.json"  # --compare-masks: difference masks against the dataset's, per group


def part_path(out: Path, pair: Pair) -> Path:
    """Where the record of a finished pair lives."""
    return out / PARTS / (hashlib.sha1(pair.key.encode()).hexdigest() + ".json")


def _row(sample: Sample) -> dict:
    row = {k: v for k, v in asdict(sample).items() if k in MANIFEST_COLUMNS}
    row.update(
        image=f"images/{sample.id}.png",
        mask=f"masks/{sample.id}.png",
        box=" ".join(map(str, sample.box)),
        status="ok",
        error="",
        face_found=sample.face_found,
    )
    return row


def _failure_row(pair: Pair, error: str, config: MaskGenConfig) -> dict:
    row = dict.fromkeys(MANIFEST_COLUMNS, "")
    row.update(
        id=pair.key,
        split=split_of(pair, config.split_by),
        label=1 if pair.fake else 0,
        dataset=pair.dataset,
        method=pair.method,
        video_id=pair.video_id,
        status="failed",
        error=error,
        source=str(pair.fake or pair.real),
    )
    return row


_DETECTOR: FaceDetector | None = None


def _detector(config: MaskGenConfig) -> FaceDetector | None:
    """This process's face detector, built once (one per worker)."""
    global _DETECTOR
    if config.crop == "none":
        return None
    if _DETECTOR is None:
        from localize.faces.detectors import build_detector

        _DETECTOR = build_detector(config.detector, config.face_model)
    return _DETECTOR


def remove_stale_temporaries(out: Path) -> None:
    """Delete temporary files a killed run left behind (finished files are never temporary)."""
    for folder in (out, out / PARTS, out / "images", out / "masks"):
        for path in folder.glob(".*.part*") if folder.is_dir() else ():
            path.unlink(missing_ok=True)


def run_group(pairs: list[Pair], out: Path, config: MaskGenConfig) -> list[dict]:
    """Process pairs sharing one original, write their files and records; return the records.

    Never raises on bad input: a failed pair gets a failure record and the others go on.
    """
    try:
        results = process_group(pairs, config, _detector(config))
    except Exception as error:  # a bug or an unforeseen file must not stop the other groups
        results = {pair.key: error for pair in pairs}
    records = []
    for pair in pairs:
        result = results[pair.key]
        if isinstance(result, list):
            _write_samples(out, result)
            record = {"key": pair.key, "status": "ok", "rows": [_row(s) for s in result]}
            dice = [s.agreement for s in result if s.agreement is not None]
            if dice:
                record["agreement"] = {"group": pair.method_variant, "dice": dice}
        else:
            message = (
                str(result)
                if isinstance(result, ForgelocError)
                else f"unexpected {type(result).__name__}: {result}"
            )
            record = {"key": pair.key, "status": "failed", "rows": [_failure_row(pair, message, config)]}
        write_text_atomic(part_path(out, pair), json.dumps(record))
        records.append(record)
    return records


def _write_samples(out: Path, samples: list[Sample]) -> None:
    """PNG files of the samples, encoded on two threads (OpenCV releases the GIL while encoding)."""
    jobs = []
    for sample in samples:
        image = out / "images" / f"{sample.id}.png"
        if sample.label == 0 and image.is_file():
            continue  # the same real frame, already written for another fake of this original
        jobs += [(image, sample.image), (out / "masks" / f"{sample.id}.png", sample.mask)]
    with ThreadPoolExecutor(2) as pool:
        for _ in pool.map(lambda job: write_png(*job), jobs):
            pass


def run_pairs(pairs: list[Pair], out: Path, config: MaskGenConfig, workers: int = 1) -> Iterator[dict]:
    """Records of the pairs not finished yet, as their groups (pairs sharing an original) complete;
    in-process when workers == 1."""
    groups: dict[Path, list[Pair]] = {}
    for pair in pairs:
        if not part_path(out, pair).is_file():
            groups.setdefault(pair.real, []).append(pair)
    jobs = list(groups.values())
    if workers <= 1:
        for group in jobs:
            yield from run_group(group, out, config)
        return
    context = multiprocessing.get_context("spawn")
    import os

    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(os.getpid(),)
    ) as pool:
        for records in pool.map(run_group, jobs, [out] * len(jobs), [config] * len(jobs), chunksize=1):
            yield from records


def read_records(out: Path) -> list[dict]:
    """Every finished pair's record in OUT (resumed runs and shards included), in pair order."""
    records = [json.loads(path.read_text()) for path in sorted((out / PARTS).glob("*.json"))]
    return sorted(records, key=lambda record: record["key"])


def assemble_manifest(out: Path, records: list[dict]) -> tuple[list[dict], int]:
    """Rebuild manifest.csv in OUT from every pair record (read_records), duplicates removed.

    Returns the manifest rows and the number of distinct ok samples before duplicate pixels were removed.
    """
    seen_ids, seen_hashes, rows, total_ok = set(), set(), [], 0
    for record in records:
        for row in record["rows"]:
            if row["status"] == "ok":
                if row["id"] in seen_ids:
                    continue  # an original's frame, listed again by each of its fakes
                total_ok += 1
                if row["sha256"] in seen_hashes:
                    continue  # the same pixels under another id: a true duplicate
            seen_ids.add(row["id"])
            seen_hashes.add(row["sha256"])
            rows.append(row)
    write_manifest(out, rows)
    return rows, total_ok


def mask_agreement(records: list[dict]) -> dict[str, tuple[float, int]]:
    """Mean Dice of the difference masks against the dataset's masks per group ("Deepfakes c23": the
    method, and the compression where the layout has one), and the number of crops, from the pair
    records (read_records)."""
    found: dict[str, list[float]] = {}
    for record in records:
        if record.get("agreement"):
            found.setdefault(record["agreement"]["group"], []).extend(record["agreement"]["dice"])
    return {group: (sum(dice) / len(dice), len(dice)) for group, dice in sorted(found.items())}


@dataclass
class Summary:
    """What a mask-gen run produced, for the closing screen."""

    pairs: int
    skipped_finished: int
    failed: dict[str, list[str]]
    fake_frames: int
    real_frames: int
    duplicates_removed: int
    mean_mask_area: float
    no_face_frames: int
    agreement: dict[str, tuple[float, int]] = field(default_factory=dict)


def reason_of(error: str) -> str:
    """The reason part of 'path: reason (details)', for grouping failures."""
    reason = error.split(": ", 1)[-1] if ": " in error else error
    return reason.split(" (")[0].split(":")[0].strip()


def summarize(pairs: int, skipped: int, rows: list[dict], total_ok_rows: int) -> Summary:
    """Summary of a dataset's manifest rows (all shards written to OUT so far)."""
    failed: dict[str, list[str]] = {}
    for row in rows:
        if row["status"] == "failed":
            failed.setdefault(reason_of(row["error"]), []).append(row["error"])
    ok = [row for row in rows if row["status"] == "ok"]
    fakes = [row for row in ok if int(row["label"]) == 1]
    return Summary(
        pairs=pairs,
        skipped_finished=skipped,
        failed=failed,
        fake_frames=len(fakes),
        real_frames=len(ok) - len(fakes),
        duplicates_removed=total_ok_rows - len(ok),
        mean_mask_area=sum(int(r["mask_area"]) for r in fakes) / len(fakes) if fakes else 0.0,
        no_face_frames=sum(1 for row in ok if not row.get("face_found", True)),
    )


def build_dataset(
    pairs: list[Pair],
    out: str | Path,
    config: MaskGenConfig = MaskGenConfig(),
    workers: int = 1,
    progress: Callable[[Iterator[dict], int], Iterator[dict]] | None = None,
    source: str | Path | None = None,
) -> Summary:
    """Process every pair not yet finished, then rebuild the manifest; return the dataset's summary.
    `source` names the input data (the CLI passes its resolved path): a rerun into the same OUT from
    other data is refused like a rerun with other settings."""
    if workers < 1:
        raise ConfigError(f"workers must be >= 1, got {workers}")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError("--out names a file, not a folder", out)
    source = None if source is None else str(Path(source).resolve())
    check_settings(out, config, source)
    (out / PARTS).mkdir(parents=True, exist_ok=True)
    _record_preprocessing(out, config, source)
    remove_stale_temporaries(out)
    finished = sum(1 for pair in pairs if part_path(out, pair).is_file())
    stream = run_pairs(pairs, out, config, workers)
    for _ in progress(stream, len(pairs) - finished) if progress else stream:
        pass
    records = read_records(out)
    rows, total_ok = assemble_manifest(out, records)
    summary = summarize(len(pairs), finished, rows, total_ok)
    if config.compare_masks:
        summary.agreement = mask_agreement(records)
        figures = {group: {"dice": round(d, 4), "crops": n} for group, (d, n) in summary.agreement.items()}
        write_text_atomic(
            out / AGREEMENT, json.dumps({"mask": settings_of(config)["mask"], "groups": figures}, indent=2)
        )
    return summary


def _record_preprocessing(out: Path, config: MaskGenConfig, source: str | None = None) -> None:
    """OUT/dataset.json: the crop rule, the settings, and the detector that ran (its file's SHA-256)."""
    from localize.faces.detectors import describe
    from localize.inference.preprocess import write_dataset_json

    detector = _detector(config)
    write_dataset_json(
        out,
        config.preprocessing(),
        face_detector=describe(detector) if detector is not None else None,
        mask_gen=settings_of(config, source),
    )
