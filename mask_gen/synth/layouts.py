"""Write synthetic real/fake sets in the public layouts (FF++, DFDC, Celeb-DF, generic CSV).

Exact masks go alongside as ground_truth/<fake path>.npz (array `masks`, frames x H x W, bool), so a
mask-gen run on the set can be scored against the truth. Everything is seeded and reproducible.
"""

from __future__ import annotations

import csv
import io
import json
import string
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from localize.common.atomic import atomic_path, write_text_atomic
from localize.common.errors import ConfigError
from localize.faces.tracker import LBPCascadeDetector, box_centre
from localize.media.encode import write_video
from localize.media.images import write_png
from mask_gen.datasets.pair import hash_split
from mask_gen.synth.manipulations import MANIPULATIONS, SynthPair, make_image_pair
from mask_gen.synth.sources import bundled_photos, fit_side, folder_photos
from mask_gen.synth.video import MotionConfig, render_clip

LAYOUTS = ("ffpp", "dfdc", "celebdf", "generic")
FFPP_METHODS = {"self_blend": "SelfBlend", "splice": "Splice", "blur": "Blur", "inpaint": "Inpaint"}


@dataclass(frozen=True)
class SynthConfig:
    """How many source videos, which manipulations, clip motion, compression levels and the seed."""

    videos: int = 4
    kinds: tuple[str, ...] = tuple(MANIPULATIONS)
    motion: MotionConfig = field(default_factory=MotionConfig)
    crfs: tuple[int, ...] = (23, 40)
    seed: int = 0
    photos: str | None = None

    def __post_init__(self) -> None:
        if self.videos < 1:
            raise ConfigError(f"videos must be >= 1, got {self.videos}")
        unknown = set(self.kinds) - set(MANIPULATIONS)
        if unknown or not self.kinds:
            raise ConfigError(
                f"unknown manipulation(s) {sorted(unknown)}; choose from {', '.join(MANIPULATIONS)}"
            )
        if not self.crfs or any(not 0 <= crf <= 51 for crf in self.crfs):
            raise ConfigError(f"CRF values must be in 0..51, got {self.crfs}")


@dataclass(frozen=True)
class Source:
    """One real source: its still, and a fake of it per manipulation kind."""

    index: int
    fakes: dict[str, SynthPair]
    focus: tuple[float, float] | None = None


def make_sources(config: SynthConfig) -> list[Source]:
    """Stills from the photos (flipped and re-cropped for variety) with one fake per kind each."""
    photos = list((folder_photos(config.photos) if config.photos else bundled_photos()).values())
    detector = LBPCascadeDetector()
    side = int(max(config.motion.width, config.motion.height) * 1.25)
    sources = []
    for index in range(config.videos):
        rng = np.random.default_rng([config.seed, index])
        still = fit_side(photos[index % len(photos)], side)
        if index // len(photos) % 2:
            still = np.ascontiguousarray(still[:, ::-1])
        faces = detector.detect(still)
        donor = photos[(index + 1) % len(photos)]
        fakes = {
            kind: make_image_pair(still, rng, kind, donor, faces[0] if faces else None)
            for kind in config.kinds
        }
        sources.append(Source(index, fakes, box_centre(faces[0]) if faces else None))
    return sources


def _clip(pair: SynthPair, config: SynthConfig, source: Source) -> tuple[list, list, np.ndarray]:
    """Real frames, fake frames and masks along the source's camera path (the same for every fake)."""
    rng = np.random.default_rng([config.seed, source.index, 1])
    real, fake, masks = zip(*render_clip(pair, config.motion, rng, source.focus), strict=True)
    return list(real), list(fake), np.stack(masks)


def _save_truth(root: Path, fake: Path, masks: np.ndarray) -> None:
    target = root / "ground_truth" / (fake.relative_to(root).as_posix() + ".npz")
    with atomic_path(target) as tmp, tmp.open("wb") as handle:
        np.savez_compressed(handle, masks=masks)


def load_truth(root: str | Path, fake: str | Path) -> np.ndarray:
    """Exact masks (frames, H, W) bool of a synthetic fake written by `forgeloc synth`."""
    root, fake = Path(root), Path(fake)
    relative = fake.relative_to(root) if fake.is_absolute() == root.is_absolute() else fake
    with np.load(root / "ground_truth" / (relative.as_posix() + ".npz"), allow_pickle=False) as data:
        return data["masks"]


def _write_pair_videos(
    root: Path, real_path: Path, fake_path: Path, clip: tuple, crf: int, fps: float
) -> None:
    real, fake, masks = clip
    if not real_path.exists():
        write_video(real_path, real, fps=fps, crf=crf)
    write_video(fake_path, fake, fps=fps, crf=crf)
    _save_truth(root, fake_path, masks)


def write_ffpp(root: Path, config: SynthConfig, sources: list[Source]) -> None:
    """FF++: originals per compression, one method folder per kind, mask videos, official-style splits."""
    count, splits = len(sources), {"train": [], "val": [], "test": []}
    for source in sources:
        target, donor = f"{source.index:03d}", f"{source.index + count:03d}"
        splits[hash_split("ffpp", target)].append([target, donor])
        for kind, pair in source.fakes.items():
            clip = _clip(pair, config, source)
            method_dir = root / "manipulated_sequences" / FFPP_METHODS[kind]
            for crf in config.crfs:
                real = root / "original_sequences" / "youtube" / f"c{crf}" / "videos" / f"{target}.mp4"
                fake = method_dir / f"c{crf}" / "videos" / f"{target}_{donor}.mp4"
                _write_pair_videos(root, real, fake, clip, crf, config.motion.fps)
            mask_frames = [np.repeat(m[..., None], 3, axis=2).astype(np.uint8) * 255 for m in clip[2]]
            write_video(
                method_dir / "masks" / "videos" / f"{target}_{donor}.mp4",
                mask_frames,
                config.motion.fps,
                crf=0,
            )
    for split, pairs in splits.items():
        write_text_atomic(root / "dataset" / "splits" / f"{split}.json", json.dumps(pairs))


def _dfdc_name(rng: np.random.Generator) -> str:
    return "".join(rng.choice(list(string.ascii_lowercase), 10)) + ".mp4"


def write_dfdc(root: Path, config: SynthConfig, sources: list[Source]) -> None:
    """DFDC: one part folder with metadata.json; every fake names its original."""
    part, metadata = root / "dfdc_train_part_0", {}
    rng = np.random.default_rng([config.seed, 7])
    for source in sources:
        real_name = _dfdc_name(rng)
        metadata[real_name] = {"label": "REAL", "split": "train", "original": None}
        for pair in source.fakes.values():
            fake_name = _dfdc_name(rng)
            metadata[fake_name] = {"label": "FAKE", "split": "train", "original": real_name}
            clip = _clip(pair, config, source)
            _write_pair_videos(
                root, part / real_name, part / fake_name, clip, config.crfs[0], config.motion.fps
            )
    write_text_atomic(part / "metadata.json", json.dumps(metadata, indent=1))


def write_celebdf(root: Path, config: SynthConfig, sources: list[Source]) -> None:
    """Celeb-DF v2: one synthesis video per source, a YouTube-real video, the testing list."""
    lines, count = [], len(sources)
    for source in sources:
        kind = config.kinds[source.index % len(config.kinds)]
        real = root / "Celeb-real" / f"id{source.index}_0000.mp4"
        fake = root / "Celeb-synthesis" / f"id{source.index}_id{(source.index + 1) % max(count, 2)}_0000.mp4"
        _write_pair_videos(
            root, real, fake, _clip(source.fakes[kind], config, source), config.crfs[0], config.motion.fps
        )
        if hash_split("celebdf", f"id{source.index}_0000") == "test":
            lines += [f"1 Celeb-real/{real.name}", f"0 Celeb-synthesis/{fake.name}"]
    youtube = root / "YouTube-real" / "00000.mp4"
    real_frames, _, _ = _clip(next(iter(sources[0].fakes.values())), config, sources[-1])
    write_video(youtube, real_frames, config.motion.fps, crf=config.crfs[0])
    lines.append(f"1 YouTube-real/{youtube.name}")
    write_text_atomic(root / "List_of_testing_videos.txt", "\n".join(lines) + "\n")


def write_generic(root: Path, config: SynthConfig, sources: list[Source]) -> None:
    """Generic: PNG image pairs (first frame of each clip) listed in pairs.csv."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["fake", "real", "label", "split"])
    for source in sources:
        real_name = f"images/real_{source.index:03d}.png"
        for kind, pair in source.fakes.items():
            real, fake, masks = _clip(pair, config, source)
            fake_name = f"images/fake_{source.index:03d}_{kind}.png"
            if not (root / real_name).exists():
                write_png(root / real_name, real[0])
            write_png(root / fake_name, fake[0])
            _save_truth(root, root / fake_name, masks[:1])
            writer.writerow([fake_name, real_name, 1, hash_split("generic", f"real_{source.index:03d}")])
    write_text_atomic(root / "pairs.csv", buffer.getvalue())


WRITERS: dict[str, Callable[[Path, SynthConfig, list[Source]], None]] = {
    "ffpp": write_ffpp,
    "dfdc": write_dfdc,
    "celebdf": write_celebdf,
    "generic": write_generic,
}


def write_synthetic(out: str | Path, layouts: list[str], config: SynthConfig) -> dict[str, Path]:
    """Write each requested layout under OUT/<layout>/; return the folder of each."""
    unknown = set(layouts) - set(LAYOUTS)
    if unknown:
        raise ConfigError(f"unknown layout(s) {sorted(unknown)}; choose from {', '.join(LAYOUTS)}")
    out = Path(out)
    sources = make_sources(config)
    folders = {}
    for layout in layouts:
        folder = out / layout
        WRITERS[layout](folder, config, sources)
        settings = {**asdict(config), "layout": layout}
        write_text_atomic(folder / "SYNTH.json", json.dumps(settings, indent=1, default=list))
        folders[layout] = folder
    return folders
