"""Make the README's two pictures: the inspect report of `forgeloc demo` and a `forgeloc compare`
report, rendered by headless Chromium and saved small under docs/images/.

    python benchmarks/readme_pictures.py [--work /tmp/readme_pictures]

The compare example is built from scikit-image's bundled astronaut photo (public domain, NASA): a still
shot with a grey ball moving through it is the source; the suspect starts 0.3 s later, is mirrored,
rescaled to 75 %, re-encoded at CRF 28 and has a patch of the suit recoloured. Nothing from ../shared
is used, so the pictures may live in the repository.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
from skimage import data

from localize.cli.main import main as forgeloc
from localize.media.encode import write_video

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"


def scene(count: int = 75, size: tuple[int, int] = (640, 480)) -> list[np.ndarray]:
    """A still camera on the astronaut photo with a ball moving through the shot."""
    background = cv2.resize(data.astronaut(), size, interpolation=cv2.INTER_AREA)
    frames = []
    for t in range(count):
        frame = background.copy()
        centre = (
            int(size[0] * (0.5 + 0.38 * np.sin(t / 25.0))),
            int(size[1] * (0.3 + 0.2 * np.sin(t / 15.0))),
        )
        cv2.circle(frame, centre, 30, (170, 160, 140), -1)
        frames.append(frame)
    return frames


def suspect_of(frame: np.ndarray) -> np.ndarray:
    """The edit (the suit's patch recoloured, blended at its edge), then mirror and rescale to 75 %."""
    edited = frame.copy()
    mask = np.zeros(frame.shape[:2], np.float32)
    cv2.ellipse(mask, (410, 330), (70, 45), 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (15, 15), 0)[..., None]
    recoloured = edited[..., ::-1]
    edited = (edited * (1 - mask) + recoloured * mask).astype(np.uint8)
    mirrored = np.ascontiguousarray(edited[:, ::-1])
    return cv2.resize(mirrored, (480, 360), interpolation=cv2.INTER_AREA)


def screenshot(page: Path, target: Path, height: int) -> None:
    """Render `page` with headless Chromium and save it as a JPEG 900 px wide."""
    raw = target.with_suffix(".raw.png")
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--window-size=1100,{height}",
            f"--screenshot={raw}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    image = cv2.imread(str(raw))
    raw.unlink()
    image = cv2.resize(
        image, (900, round(image.shape[0] * 900 / image.shape[1])), interpolation=cv2.INTER_AREA
    )
    cv2.imwrite(str(target), image, [cv2.IMWRITE_JPEG_QUALITY, 72])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/readme_pictures"))
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    IMAGES.mkdir(parents=True, exist_ok=True)
    assert forgeloc(["demo", "--out", str(args.work / "demo")]) == 0
    screenshot(args.work / "demo" / "inspect" / "report.html", IMAGES / "inspect_report.jpg", 1500)
    frames = scene()
    write_video(args.work / "source.mp4", frames, fps=25, crf=20)
    write_video(args.work / "suspect.mp4", (suspect_of(f) for f in frames[8:]), fps=25, crf=28)
    command = [
        "compare",
        str(args.work / "suspect.mp4"),
        str(args.work / "source.mp4"),
        "--out",
        str(args.work / "compare"),
    ]
    assert forgeloc(command) == 0
    screenshot(args.work / "compare" / "report.html", IMAGES / "compare_report.jpg", 1300)
    print(f"wrote {IMAGES / 'inspect_report.jpg'} and {IMAGES / 'compare_report.jpg'}")


if __name__ == "__main__":
    main()
