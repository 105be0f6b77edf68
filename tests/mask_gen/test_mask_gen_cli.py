"""`forgeloc mask-gen` end to end on synthetic sets, bad input, kill/resume, shards and workers."""

from __future__ import annotations

import csv
import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from localize.cli.main import main
from localize.media.encode import write_video
from localize.media.images import read_image, read_mask, write_png
from mask_gen.datasets import hash_split
from mask_gen.synth.score import score_dataset
from mask_gen.writer import MANIFEST_COLUMNS


def manifest(out):
    with (out / "manifest.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["ffpp", "dfdc", "celebdf", "generic"])
def test_mask_gen_on_each_layout_matches_the_exact_masks(synthetic, tmp_path, layout):
    out = tmp_path / "out"
    assert main(["mask-gen", str(synthetic[layout]), "--out", str(out), "--frames", "4"]) == 0
    rows = manifest(out)
    assert rows and list(rows[0]) == list(MANIFEST_COLUMNS)
    assert all(row["status"] == "ok" for row in rows)
    sample = rows[0]
    assert read_image(out / sample["image"]).shape == (256, 256, 3)
    assert read_mask(out / sample["mask"]).shape == (256, 256)
    assert all(int(r["mask_area"]) == 0 for r in rows if r["label"] == "0")
    by_source = {}
    for row in rows:
        by_source.setdefault(row["source"], set()).add(row["split"])
    assert all(len(splits) == 1 for splits in by_source.values())
    assert len({row["sha256"] for row in rows}) == len(rows)
    assert score_dataset(out, synthetic[layout], where=lambda row: "/c40/" not in row.source)["all"] >= 0.85


@pytest.mark.slow
def test_auto_threshold_helps_on_c40(synthetic, tmp_path):
    c40 = lambda row: "/c40/" in row.source  # noqa: E731
    scores = {}
    for threshold in ("8", "auto"):
        out = tmp_path / threshold
        assert (
            main(
                [
                    "mask-gen",
                    str(synthetic["ffpp"]),
                    "--out",
                    str(out),
                    "--frames",
                    "3",
                    "--threshold",
                    threshold,
                ]
            )
            == 0
        )
        scores[threshold] = score_dataset(out, synthetic["ffpp"], where=c40)["all"]
    assert scores["auto"] > scores["8"] + 0.05


def write_bad_inputs(folder):
    """A CSV of one good image pair and one pair per kind of bad input."""
    rng = np.random.default_rng(0)
    real = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
    fake = real.copy()
    fake[10:40, 10:40] = 255 - fake[10:40, 10:40]
    write_png(folder / "real.png", real)
    write_png(folder / "fake.png", fake)
    write_png(folder / "small.png", real[:32])
    write_png(folder / "orphan.png", fake)
    (folder / "text.mp4").write_text("this is not a video")
    (folder / "broken.png").write_bytes(b"\x89PNG garbage")
    clip = [np.roll(real, 3 * i, axis=1) for i in range(6)]
    write_video(folder / "clip.mp4", clip, crf=18)
    write_video(folder / "clip_fake.mp4", [np.roll(fake, 3 * i, axis=1) for i in range(6)], crf=18)
    data = (folder / "clip.mp4").read_bytes()
    (folder / "truncated.mp4").write_bytes(data[: len(data) // 2])
    (folder / "empty.mp4").write_bytes(b"")
    write_video(folder / "short.mp4", clip[:4], crf=18)
    rows = [
        ("fake.png", "real.png"),
        ("orphan.png", "missing.png"),
        ("small.png", "real.png"),
        ("text.mp4", "clip.mp4"),
        ("broken.png", "real.png"),
        ("truncated.mp4", "clip.mp4"),
        ("empty.mp4", "clip.mp4"),
        ("short.mp4", "clip.mp4"),
        ("clip_fake.mp4", "clip.mp4"),
    ]
    (folder / "pairs.csv").write_text("fake,real\n" + "".join(f"{f},{r}\n" for f, r in rows))
    return folder / "pairs.csv"


def test_bad_inputs_are_reported_and_the_good_pair_is_kept(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    pairs = write_bad_inputs(data)
    out = tmp_path / "out"
    assert main(["mask-gen", str(pairs), "--out", str(out), "--crop", "none"]) == 1
    rows = manifest(out)
    failed = {row["source"].rsplit("/", 1)[-1]: row["error"] for row in rows if row["status"] == "failed"}
    assert failed["orphan.png"].endswith("missing.png: original not found")
    assert "frame size mismatch" in failed["small.png"]
    assert "not a readable video" in failed["text.mp4"]
    assert "not a readable image" in failed["broken.png"]
    assert "truncated.mp4" in failed["truncated.mp4"]
    assert "empty.mp4" in failed["empty.mp4"]
    assert "frame count mismatch: fake 4, real 6" in failed["short.mp4"]
    good = [row for row in rows if row["status"] == "ok"]
    assert {row["label"] for row in good} == {"0", "1"}
    # the good fake of clip.mp4 is kept although four other fakes of the same original failed
    assert sorted(row["source"].rsplit("/", 1)[-1] for row in good) == ["clip.mp4"] * 6 + [
        "clip_fake.mp4"
    ] * 6 + [
        "fake.png",
        "real.png",
    ]
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    assert "failed, frame size mismatch: 1" in printed.out


def test_bad_usage_exits_2(tmp_path, synthetic, capsys):
    assert main(["mask-gen", str(synthetic["generic"]), "--out", str(tmp_path), "--shard", "3/2"]) == 2
    assert "--shard" in capsys.readouterr().err
    assert main(["mask-gen", str(synthetic["generic"]), "--out", str(tmp_path), "--threshold", "-4"]) == 2
    assert main(["no-such-command"]) == 2


def test_missing_dataset_folder_is_one_line(tmp_path, capsys):
    assert main(["mask-gen", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]) == 1
    assert "nowhere: not found" in capsys.readouterr().err


def test_no_workers_is_one_line_before_anything_is_written(synthetic, tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["mask-gen", str(synthetic["ffpp"]), "--out", str(out), "--workers", "0"]) != 0
    assert "workers must be >= 1" in capsys.readouterr().err and not out.exists()


@pytest.mark.slow
def test_shards_and_workers_give_the_same_manifest(synthetic, tmp_path):
    args = ["mask-gen", str(synthetic["ffpp"]), "--frames", "2"]
    assert main([*args, "--out", str(tmp_path / "one")]) == 0
    assert main([*args, "--out", str(tmp_path / "sharded"), "--shard", "0/2"]) == 0
    assert main([*args, "--out", str(tmp_path / "sharded"), "--shard", "1/2"]) == 0
    assert main([*args, "--out", str(tmp_path / "workers"), "--workers", "2"]) == 0
    reference = (tmp_path / "one" / "manifest.csv").read_text()
    assert (tmp_path / "sharded" / "manifest.csv").read_text() == reference
    assert (tmp_path / "workers" / "manifest.csv").read_text() == reference


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_result(synthetic, tmp_path):
    args = [str(synthetic["ffpp"]), "--frames", "6"]
    assert main(["mask-gen", *args, "--out", str(tmp_path / "clean")]) == 0
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "localize.cli.main", "mask-gen", *args, "--out", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and len(list((out / ".parts").glob("*.json"))) < 3:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done = len(list((out / ".parts").glob("*.json")))
    assert 0 < done < 24, "the run must be killed part-way"
    assert main(["mask-gen", *args, "--out", str(out)]) == 0
    assert (out / "manifest.csv").read_text() == (tmp_path / "clean" / "manifest.csv").read_text()
    leftovers = [p for p in out.rglob(".*") if p.is_file()]
    assert leftovers == [], leftovers
    assert sorted(p.name for p in (out / "images").iterdir()) == sorted(
        p.name for p in (tmp_path / "clean" / "images").iterdir()
    )


def test_rerun_skips_finished_pairs(synthetic, tmp_path, capsys):
    args = ["mask-gen", str(synthetic["generic"]), "--out", str(tmp_path), "--crop", "none"]
    assert main(args) == 0
    first = (tmp_path / "manifest.csv").read_text()
    capsys.readouterr()
    assert main(args) == 0
    assert "(12 already done, 0 failed)" in capsys.readouterr().out
    assert (tmp_path / "manifest.csv").read_text() == first


@pytest.mark.slow
def test_real_faceforensics_pairs(shared, tmp_path):
    source = shared / "polimi-ispl__icpr2020dfdc/test/data/ffpp"
    data = tmp_path / "ffpp"
    shutil.copytree(source, data, ignore=shutil.ignore_patterns("750_743.mp4", "519*", "634*"))
    assert main(["mask-gen", str(data), "--out", str(tmp_path / "out"), "--frames", "2"]) == 0
    fakes = [row for row in manifest(tmp_path / "out") if row["label"] == "1"]
    assert len(fakes) == 2 and all(int(row["mask_area"]) > 1000 for row in fakes)


def test_dataset_masks_match_the_truth_better_than_the_difference(synthetic, tmp_path):
    """--masks dataset reads FF++'s masks/ videos (written losslessly by synth) instead of diffing."""
    scores = {}
    for masks in ("diff", "dataset"):
        out = tmp_path / masks
        args = ["mask-gen", str(synthetic["ffpp"]), "--out", str(out), "--frames", "3", "--masks", masks]
        assert main(args) == 0
        scores[masks] = score_dataset(out, synthetic["ffpp"], where=lambda row: "/c40/" in row.source)["all"]
    assert scores["dataset"] > 0.97 > scores["diff"]


def test_dataset_masks_missing_fail_the_pair_by_name(synthetic, tmp_path, capsys):
    data = tmp_path / "ffpp"
    shutil.copytree(synthetic["ffpp"], data)
    removed = sorted((data / "manipulated_sequences" / "Blur" / "masks" / "videos").glob("*.mp4"))[0]
    removed.unlink()
    out = tmp_path / "out"
    assert main(["mask-gen", str(data), "--out", str(out), "--frames", "2", "--masks", "dataset"]) == 1
    failed = [row for row in manifest(out) if row["status"] == "failed"]
    assert {row["source"].rsplit("/", 1)[-1] for row in failed} == {removed.name}
    assert all("no dataset mask" in row["error"] for row in failed)


def test_split_by_hash_overrides_dfdc_metadata(synthetic, tmp_path):
    splits = {}
    for split_by in ("dataset", "hash"):
        out = tmp_path / split_by
        args = [
            "mask-gen",
            str(synthetic["dfdc"]),
            "--out",
            str(out),
            "--frames",
            "1",
            "--split-by",
            split_by,
        ]
        assert main(args) == 0
        splits[split_by] = {row["video_id"]: row["split"] for row in manifest(out) if row["label"] == "0"}
    assert set(splits["dataset"].values()) == {"train"}
    assert set(splits["hash"]) == set(splits["dataset"])
    assert all(split == hash_split("dfdc", video) for video, split in splits["hash"].items())


def test_duplicates_count_only_repeated_pixels(tmp_path, capsys):
    """Two fakes of one original share its frame (not a duplicate); a byte-identical fake is one."""
    rng = np.random.default_rng(1)
    real = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
    fakes = [real.copy(), real.copy()]
    fakes[0][5:30, 5:30] = 0
    fakes[1][30:60, 30:60] = 255
    write_png(tmp_path / "real.png", real)
    for i, fake in enumerate(fakes):
        write_png(tmp_path / f"f{i}.png", fake)
    write_png(tmp_path / "copy.png", fakes[0])
    (tmp_path / "pairs.csv").write_text("fake,real\nf0.png,real.png\nf1.png,real.png\ncopy.png,real.png\n")
    assert (
        main(["mask-gen", str(tmp_path / "pairs.csv"), "--out", str(tmp_path / "out"), "--crop", "none"]) == 0
    )
    assert "(1 duplicates removed)" in capsys.readouterr().out
    rows = manifest(tmp_path / "out")
    assert sorted(row["label"] for row in rows) == ["0", "1", "1"]


def test_a_pair_of_different_footage_is_refused_as_misaligned(tmp_path):
    """Same size and frame count, but other content outside the face: not a real/fake pair."""
    from mask_gen.synth.sources import bundled_photos, fit_side

    real = fit_side(bundled_photos()["astronaut"], 256)
    other = np.ascontiguousarray(np.roll(real, 40, axis=1))  # the same photo, shifted: other footage
    touched = real.copy()
    touched[60:120, 100:160] = 255 - touched[60:120, 100:160]  # a manipulation: still aligned footage
    write_png(tmp_path / "real.png", real)
    write_png(tmp_path / "other.png", other)
    write_png(tmp_path / "touched.png", touched)
    (tmp_path / "pairs.csv").write_text("fake,real\nother.png,real.png\ntouched.png,real.png\n")
    out = tmp_path / "out"
    assert main(["mask-gen", str(tmp_path / "pairs.csv"), "--out", str(out), "--frames", "1"]) == 1
    rows = manifest(out)
    failed = [row for row in rows if row["status"] == "failed"]
    assert [row["source"].rsplit("/", 1)[-1] for row in failed] == ["other.png"]
    assert "not aligned at frame 0" in failed[0]["error"]
    assert any(row["source"].endswith("touched.png") and row["status"] == "ok" for row in rows)


def test_resume_with_other_settings_is_refused_by_name(synthetic, tmp_path, capsys):
    """--frames 4 then --frames 32 --threshold 20 --crop none into the same --out: refused, the first
    dataset untouched; the same settings resume as before."""
    out = tmp_path / "ds"
    source = str(synthetic["ffpp"])
    assert main(["mask-gen", source, "--out", str(out), "--frames", "4"]) == 0
    manifest = (out / "manifest.csv").read_text()
    capsys.readouterr()
    changed = ["--frames", "32", "--threshold", "20", "--crop", "none"]
    assert main(["mask-gen", source, "--out", str(out), *changed]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "other settings" in error
    assert "frames 4 -> 32" in error and "crop face -> none" in error
    assert (out / "manifest.csv").read_text() == manifest
    assert main(["mask-gen", source, "--out", str(out), "--frames", "4"]) == 0
    assert "already done" in capsys.readouterr().out
    file = tmp_path / "a_file"
    file.write_text("x")
    assert main(["mask-gen", source, "--out", str(file)]) == 2


def _children(pid: int) -> set[int]:
    """Processes whose parent is `pid` (Linux /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_workers_die_with_a_killed_mask_gen(synthetic, tmp_path):
    """kill -9 of mask-gen --workers 2 leaves no worker writing on."""
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "ds"
    command = [
        sys.executable,
        "-m",
        "localize.cli.main",
        "mask-gen",
        str(synthetic["ffpp"]),
        "--out",
        str(out),
    ]
    process = subprocess.Popen([*command, "--workers", "2", "--frames", "0"], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(_children(process.pid)) < 2:
        time.sleep(0.2)
    workers = _children(process.pid)
    assert workers, "mask-gen started no worker"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() for w in workers):
        time.sleep(0.2)
    alive = [
        w
        for w in workers
        if Path(f"/proc/{w}/stat").exists() and "Z" not in Path(f"/proc/{w}/stat").read_text().split()[2]
    ]
    assert not alive, f"workers {alive} outlived their parent"


def test_a_second_dataset_into_the_same_out_is_refused(synthetic, tmp_path, capsys):
    out = tmp_path / "ds"
    assert main(["mask-gen", str(synthetic["ffpp"]), "--out", str(out), "--frames", "2"]) == 0
    manifest = (out / "manifest.csv").read_text()
    capsys.readouterr()
    assert main(["mask-gen", str(synthetic["dfdc"]), "--out", str(out), "--frames", "2"]) == 2
    assert "source" in capsys.readouterr().err
    assert (out / "manifest.csv").read_text() == manifest


def test_compare_masks_reports_how_far_the_difference_masks_are_from_the_datasets(
    synthetic, tmp_path, capsys
):
    """--compare-masks scores the difference masks against the dataset's on the same crops, per method
    and compression: the figure is the Dice a --masks diff run gets against the same masks, and it falls
    where compression noise grows (c40 below c23)."""
    out = tmp_path / "compare"
    args = ["mask-gen", str(synthetic["ffpp"]), "--out", str(out), "--frames", "3"]
    assert main([*args, "--masks", "dataset", "--compare-masks"]) == 0
    printed = capsys.readouterr().out
    groups = json.loads((out / "mask_agreement.json").read_text())["groups"]
    assert groups and all(g.endswith(("c23", "c40")) for g in groups)
    for group, figures in groups.items():
        shown = re.search(rf"{re.escape(group)}: ([0-9.]+) over {figures['crops']} crops", printed)
        assert shown and abs(float(shown.group(1)) - figures["dice"]) <= 0.0006
    mean = {c: np.mean([f["dice"] for g, f in groups.items() if g.endswith(c)]) for c in ("c23", "c40")}
    assert mean["c40"] < mean["c23"]
    # the same pairs through --masks diff: its masks against the dataset's give the reported figure
    diff = tmp_path / "diff"
    assert main([*args, "--out", str(diff)]) == 0
    dataset_masks = {r["id"]: read_mask(out / r["mask"]) for r in manifest(out) if r["label"] == "1"}
    from mask_gen.quality import mask_dice

    scores = [
        mask_dice(read_mask(diff / r["mask"]), dataset_masks[r["id"]])
        for r in manifest(diff)
        if r["label"] == "1"
    ]
    reported = sum(f["dice"] * f["crops"] for f in groups.values()) / sum(f["crops"] for f in groups.values())
    assert abs(np.mean(scores) - reported) < 0.03  # 256 px resized masks vs full-resolution crops


def test_compare_masks_without_dataset_masks_is_bad_usage(synthetic, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["mask-gen", str(synthetic["ffpp"]), "--out", str(out), "--compare-masks"]) == 2
    assert "needs masks='dataset'" in capsys.readouterr().err


def test_mask_flags_map_onto_the_mask_config():
    """--threshold/--grow/--fill-holes reach MaskConfig: the defaults are the calibrated procedure, and the
    seed's own procedure is one spelling away."""
    import argparse

    from mask_gen.cli.masks import _config, add_arguments
    from mask_gen.core import MaskConfig

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert _config(parser.parse_args(["data", "--out", "o"])).mask == MaskConfig()
    seed = _config(
        parser.parse_args(["data", "--out", "o", "--threshold", "8", "--grow", "off", "--no-fill-holes"])
    )
    assert seed.mask == MaskConfig(threshold=8.0, grow=None, fill_holes=False)
    fixed = _config(parser.parse_args(["data", "--out", "o", "--threshold", "auto", "--grow", "5"]))
    assert fixed.mask.threshold == "auto" and fixed.mask.grow == 5.0


def test_splits_limits_the_work_to_the_pairs_of_those_splits(synthetic, tmp_path, capsys):
    args = ["mask-gen", str(synthetic["ffpp"]), "--frames", "1"]
    assert main([*args, "--out", str(tmp_path / "all")]) == 0
    assert main([*args, "--out", str(tmp_path / "val"), "--splits", "val"]) == 0
    everything = manifest(tmp_path / "all")
    assert {row["split"] for row in everything} > {"val"}  # the set has other splits to leave out
    assert manifest(tmp_path / "val") == [row for row in everything if row["split"] == "val"]
    capsys.readouterr()
    assert main([*args, "--out", str(tmp_path / "bad"), "--splits", "valid"]) == 2
    assert "--splits must be some of train,val,test" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()
    dfdc = ["mask-gen", str(synthetic["dfdc"]), "--out", str(tmp_path / "none"), "--splits", "test"]
    assert main(dfdc) == 2  # DFDC's metadata says "train" for every pair
    assert "no pair of" in capsys.readouterr().err and not (tmp_path / "none").exists()
