"""`forgeloc inspect` end to end: verdicts, frame evidence, results.json, a self-contained report, and
every bad input reported in one line while the others are analysed."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil

import cv2
import numpy as np
import pytest
from PIL import Image

from localize.cli.main import main
from localize.media.encode import write_video
from localize.media.images import read_image, read_mask, write_png
from mask_gen.synth.sources import bundled_photos, fit_side
from tests.browser import needs_chromium, render


@pytest.fixture
def inputs(tmp_path, pairs):
    folder = tmp_path / "case"
    folder.mkdir()
    frames = [pairs[i % 2].fake if i % 3 else pairs[0].real for i in range(12)]
    write_video(folder / "clip.mp4", frames, crf=12)
    write_png(folder / "fake.png", pairs[1].fake)
    write_png(folder / "real.png", pairs[0].real)
    return folder


def run_inspect(bundle_path, out, *paths, extra=()):
    return main(
        [
            "inspect",
            *map(str, paths),
            "--out",
            str(out),
            "--model",
            str(bundle_path),
            "--crop",
            "none",
            *extra,
        ]
    )


def test_inspect_writes_evidence_results_and_report(bundle_path, inputs, tmp_path, capsys):
    out = tmp_path / "out"
    assert run_inspect(bundle_path, out, inputs, extra=["--every", "2"]) == 0
    results = json.loads((out / "results.json").read_text())
    by_name = {entry["path"].rsplit("/", 1)[-1]: entry for entry in results["inputs"]}
    assert by_name["clip.mp4"]["verdict"] == "FAKE" and by_name["fake.png"]["verdict"] == "FAKE"
    assert by_name["real.png"]["verdict"] == "REAL"
    clip = by_name["clip.mp4"]
    assert [f["index"] for f in clip["frames"]] == list(range(0, 12, 2))
    assert clip["sha256"] == hashlib.sha256((inputs / "clip.mp4").read_bytes()).hexdigest()
    fake_frame = next(f for f in clip["frames"] if f["is_fake"])
    assert fake_frame["regions"] and read_mask(out / fake_frame["mask"]).any()
    assert read_image(out / fake_frame["overlay"]).shape == (64, 64, 3)
    assert (
        results["model"]["sha256"]["weights"]
        == hashlib.sha256(bundle_path.with_suffix(".safetensors").read_bytes()).hexdigest()
    )
    assert results["parameters"]["min_region_px"] == 20
    assert results["model"]["runtime"] == "pytorch" and "onnx" not in results["model"]["sha256"]
    html = (out / "report.html").read_text()
    assert html.count('data-verdict="FAKE"') == 2 and html.count('data-verdict="REAL"') == 1
    assert 'class="timeline"' in html and html.count('class="overlay"') >= 3
    table = html[html.index('class="triage"') : html.index("</table>")]  # the inputs, fakes first
    rows = re.findall(r'verdict (\w+)">\w+</span></td><td><a href="#input-(\d)">([^<]+)</a>', table)
    assert [verdict for verdict, _, _ in rows] == ["FAKE", "FAKE", "REAL"]
    assert {name for _, _, name in rows} == {"clip.mp4", "fake.png", "real.png"}
    for _, number, name in rows:  # each links to its own section
        section = html[html.index(f'id="input-{number}"') :]
        assert section[: section.index("</h2>")].endswith(name)
    thumbnails = re.findall(r'class="overlay"[^>]* src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(thumbnails) == html.count('class="overlay"')  # JPEG: a case's report stays small
    first = cv2.imdecode(np.frombuffer(base64.b64decode(thumbnails[0]), np.uint8), cv2.IMREAD_COLOR)
    assert first.shape == (64, 64, 3)
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "the report must not load anything"
    printed, progress = capsys.readouterr()
    assert "report:" in printed and "FAKE" in printed
    assert "clip.mp4:   0%|          | 0/6 [" in progress  # a video's frames have their own bar
    assert "fake.png:" not in progress and "real.png:" not in progress  # an image's one frame has none


def test_bad_inputs_are_one_line_each_and_the_rest_is_analysed(bundle_path, inputs, tmp_path, capsys):
    (inputs / "text.mp4").write_text("not a video")
    (inputs / "empty.mp4").write_bytes(b"")
    Image.new("1", (20000, 20000)).save(inputs / "huge.png")
    out = tmp_path / "out"
    assert run_inspect(bundle_path, out, inputs, tmp_path / "missing.jpg") == 1
    results = json.loads((out / "results.json").read_text())
    failed = {e["path"].rsplit("/", 1)[-1]: e["error"] for e in results["inputs"] if e["status"] == "failed"}
    assert set(failed) == {"text.mp4", "empty.mp4", "huge.png", "missing.jpg"}
    assert "exceeds the limit" in failed["huge.png"] and "file not found" in failed["missing.jpg"]
    assert sum(e["status"] == "ok" for e in results["inputs"]) == 3
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "text.mp4" in captured.err and "4 input(s) could not be analysed" in captured.out


def test_a_bundle_whose_json_and_weights_disagree_is_one_line(bundle_path, inputs, tmp_path, capsys):
    broken = tmp_path / "broken"
    shutil.copy(bundle_path, broken.with_suffix(".json"))
    shutil.copy(bundle_path.with_suffix(".safetensors"), broken.with_suffix(".safetensors"))
    meta = json.loads(broken.with_suffix(".json").read_text())
    meta["arguments"]["depth"] = 4
    meta["weights"].pop("sha256")
    broken.with_suffix(".json").write_text(json.dumps(meta))
    assert run_inspect(broken, tmp_path / "out", inputs) == 1
    err = capsys.readouterr().err
    assert "disagree" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--max-frames", "-3"], "--max-frames must be >= 0"),
        (["--fps", "nan"], "--max-frames must be >= 0"),
        (["--every", "-1"], "--max-frames must be >= 0"),
        (["--threshold", "1.5"], "threshold is a share"),
        (["--threshold", "nan"], "threshold is a share"),
        (["--mask-threshold", "2"], "mask_threshold is a share"),
        (["--min-fake-fraction", "-0.1"], "min_fake_fraction is a share"),
        (["--min-region", "-1"], "min_region_px must be >= 0"),
    ],
)
def test_settings_out_of_range_are_one_line_before_any_input_is_touched(
    bundle_path, tmp_path, capsys, option, message
):
    out = tmp_path / "out"
    assert run_inspect(bundle_path, out, tmp_path / "any.png", extra=option) == 2  # bad usage
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and not out.exists()


def test_a_lower_mask_threshold_grows_the_masks_of_fake_frames_and_is_recorded(bundle_path, inputs, tmp_path):
    import cv2

    areas, verdicts = {}, {}
    for name, extra in (("strict", []), ("grown", ["--mask-threshold", "0.05"])):
        out = tmp_path / name
        settings = ["--min-region", "20", "--threshold", "0.9"]
        assert run_inspect(bundle_path, out, inputs / "fake.png", extra=[*settings, *extra]) == 0
        results = json.loads((out / "results.json").read_text())
        (frame,) = results["inputs"][0]["frames"]
        verdicts[name] = (results["inputs"][0]["verdict"], frame["score"], len(frame["regions"]))
        areas[name] = int((cv2.imread(str(out / frame["mask"]), cv2.IMREAD_GRAYSCALE) > 127).sum())
        expected = 0.05 if extra else results["parameters"]["threshold"]  # none of its own in this bundle
        assert results["parameters"]["mask_threshold"] == expected
    assert verdicts["grown"] == verdicts["strict"] and verdicts["strict"][0] == "FAKE"  # verdicts hold
    assert areas["grown"] > areas["strict"] > 0


def test_max_faces_analyses_every_person_in_the_frame(bundle_path, tmp_path):
    still = fit_side(bundled_photos()["astronaut"], 320)
    write_png(tmp_path / "two.png", np.concatenate([still, still[:, ::-1]], axis=1))
    out = tmp_path / "out"
    assert (
        main(
            [
                "inspect",
                str(tmp_path / "two.png"),
                "--out",
                str(out),
                "--model",
                str(bundle_path),
                "--max-faces",
                "2",
            ]
        )
        == 0
    )
    results = json.loads((out / "results.json").read_text())
    frame = results["inputs"][0]["frames"][0]
    assert len(frame["faces"]) == 2 and frame["box"] == frame["faces"][0]
    assert results["parameters"]["max_faces"] == 2


def test_the_runtime_that_ran_is_in_the_provenance(bundle_path, inputs, tmp_path):
    from localize.inference.onnx_runtime import add_onnx

    copy = tmp_path / "withonnx"
    for suffix in (".json", ".safetensors"):
        shutil.copy(bundle_path.with_suffix(suffix), copy.with_suffix(suffix))
    onnx = add_onnx(copy)
    for runtime, expected in (("auto", "onnxruntime"), ("torch", "pytorch")):
        out = tmp_path / runtime
        assert run_inspect(copy, out, inputs, extra=["--runtime", runtime]) == 0
        model = json.loads((out / "results.json").read_text())["model"]
        assert model["runtime"] == expected
        assert model["sha256"].get("onnx") == (
            hashlib.sha256(onnx.read_bytes()).hexdigest() if runtime == "auto" else None
        )
        assert f"<td>{expected}" in (out / "report.html").read_text()


@pytest.mark.slow
@needs_chromium
def test_a_real_browser_renders_the_report(bundle_path, inputs, tmp_path):
    out = tmp_path / "out"
    assert run_inspect(bundle_path, out, inputs) == 0
    dom, image = render(out / "report.html", tmp_path / "shot.png")
    assert 'data-verdict="FAKE"' in dom and 'class="timeline"' in dom and 'class="overlay"' in dom
    assert image.shape[:2] == (1600, 1200) and image.std() > 10  # something was drawn


@pytest.mark.parametrize(
    "name",
    ["<img src=x onerror=alert(1)>.png", "<script>alert(1)<\\script>.png", '"><svg onload=alert(1)>.png'],
)
def test_hostile_file_names_are_escaped_in_the_report(bundle_path, pairs, tmp_path, name):
    """Every template escapes, whatever its suffix: a name is shown as text, never run as markup."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    write_png(folder / name, pairs[1].fake)
    broken = folder / "<i onmouseover=alert(2)>broken.png"
    broken.write_bytes(b"not a png")
    out = tmp_path / "out"
    run_inspect(bundle_path, out, folder / name, broken)
    html = (out / "report.html").read_text()
    stem = name.removesuffix(".png")
    assert stem not in html and "<i onmouseover" not in html  # neither the input nor the failure line
    assert stem.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") in html


def test_the_models_stated_limits_travel_with_its_verdicts_escaped(bundle_path, inputs, tmp_path):
    """A bundle json's "limits" reach results.json and the report's top, as text; a json without them
    leaves no such section."""
    plain = tmp_path / "plain"
    assert run_inspect(bundle_path, plain, inputs / "fake.png") == 0
    assert "limits" not in json.loads((plain / "results.json").read_text())["model"]
    assert 'id="limits"' not in (plain / "report.html").read_text()
    stated = tmp_path / "stated"
    shutil.copytree(bundle_path.parent, stated)
    json_path = stated / bundle_path.name
    meta = json.loads(json_path.read_text())
    meta["limits"] = ["Misses graphics-based swaps.", "A FAKE verdict is <b>never</b> proof."]
    json_path.write_text(json.dumps(meta))
    out = tmp_path / "out"
    assert run_inspect(json_path, out, inputs / "fake.png") == 0
    assert json.loads((out / "results.json").read_text())["model"]["limits"] == meta["limits"]
    html = (out / "report.html").read_text()
    section = html[html.index('id="limits"') : html.index("</section>", html.index('id="limits"'))]
    assert "Misses graphics-based swaps." in section and "&lt;b&gt;never&lt;/b&gt;" in section
    assert html.index('id="limits"') < html.index('id="input-1"')  # before any verdict


def test_the_default_model_states_its_limits():
    from localize.inference.bundle import load_bundle
    from localize.inference.localizer import default_bundle_path

    limits = load_bundle(default_bundle_path()).limits
    assert limits and any("never proof" in line for line in limits)


@pytest.mark.parametrize("detector", ["yunet", "lbp"])
def test_thin_images_are_analysed_and_the_batch_goes_on(bundle_path, pairs, tmp_path, detector):
    """1x1, 1x500, 500x1 and 2x3000 images crashed face detection and lost every later input."""
    folder = tmp_path / "thin"
    rng = np.random.default_rng(0)
    for height, width in ((1, 1), (1, 500), (500, 1), (2, 3000)):
        write_png(folder / f"a{height}x{width}.png", rng.integers(0, 255, (height, width, 3), dtype=np.uint8))
    write_png(folder / "z_face.png", pairs[1].fake)
    out = tmp_path / "out"
    assert run_inspect(bundle_path, out, folder, extra=("--crop", "face", "--face-detector", detector)) == 0
    results = json.loads((out / "results.json").read_text())
    assert [e["status"] for e in results["inputs"]] == ["ok"] * 5
    assert results["inputs"][-1]["path"].endswith("z_face.png")
    assert (out / "report.html").is_file()


def test_an_image_without_a_face_says_so_on_the_closing_screen(bundle_path, pairs, tmp_path, capsys):
    """A REAL verdict on a frame where no face was found is not a cleared face: the screen says so."""
    noise = np.random.default_rng(1).integers(0, 255, (96, 96, 3), dtype=np.uint8)
    write_png(tmp_path / "noface.png", noise)
    out = tmp_path / "out"
    assert run_inspect(bundle_path, out, tmp_path / "noface.png", extra=("--crop", "face")) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if "noface.png" in line)
    assert "no face in 1 of 1 frame(s): whole frame analysed" in line
    entry = json.loads((out / "results.json").read_text())["inputs"][0]
    assert entry["no_face_frames"] == 1


def test_folders_without_media_are_named_and_nothing_to_analyse_is_one_line(
    bundle_path, pairs, tmp_path, capsys, caplog
):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no media here")
    out = tmp_path / "out"
    empty_line = f"{tmp_path / 'empty'}: no images or videos in this folder"
    assert run_inspect(bundle_path, out, tmp_path / "empty") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == f"forgeloc inspect: error: {tmp_path / 'empty'}: no images or videos to analyse"
    assert empty_line in caplog.messages and not out.exists()
    caplog.clear()
    write_png(tmp_path / "full" / "real.png", pairs[0].real)
    assert run_inspect(bundle_path, out, tmp_path / "empty", tmp_path / "full") == 0  # the other is analysed
    assert empty_line in caplog.messages
    assert len(json.loads((out / "results.json").read_text())["inputs"]) == 1


def test_a_file_named_more_than_once_is_analysed_once(inputs, tmp_path, monkeypatch, caplog):
    """A file and its folder, overlapping globs, a relative and an absolute name, a link: one input each,
    in the order of first appearance."""
    import logging
    from pathlib import Path

    from localize.cli.inputs import media_files

    caplog.set_level(logging.INFO, logger="localize")
    (tmp_path / "link.png").symlink_to(inputs / "real.png")
    monkeypatch.chdir(inputs)
    found = media_files(["real.png", str(inputs), str(inputs / "fake.png"), str(tmp_path / "link.png")])
    assert found == [Path("real.png"), inputs / "clip.mp4", inputs / "fake.png"]
    assert "3 input(s) named more than once" in caplog.text  # the folder's real.png, fake.png, the link
    caplog.clear()
    assert len(media_files([str(inputs)])) == 3 and "more than once" not in caplog.text


def test_an_output_folder_inside_the_inputs_is_not_analysed(bundle_path, inputs, tmp_path):
    """`forgeloc inspect case --out case/report`, run twice: the first run's frame images are not inputs."""
    same = shutil.copytree(inputs, tmp_path / "same")
    for case, out in ((inputs, inputs / "report"), (same, same)):  # inside it, or the folder itself
        for _ in range(2):
            assert run_inspect(bundle_path, out, case, extra=["--every", "4"]) == 0
            names = [entry["path"] for entry in json.loads((out / "results.json").read_text())["inputs"]]
            assert sorted(name.rsplit("/", 1)[-1] for name in names) == ["clip.mp4", "fake.png", "real.png"]
        assert list(out.glob("frames/*/*.png"))  # the images were there to be picked up


@pytest.mark.slow
def test_decompression_bombs_cost_under_1_gb_and_leave_one_line(bundle_path, tmp_path):
    """A 12000x12000 PNG header and a 15000x15000 Radiance HDR named .png: refused from their headers
    before the model loads, in one line naming both, exit 1, nothing written; the whole process peaks
    under 1,000 MB (VmHWM of a fresh process)."""
    import subprocess
    import sys

    import cv2

    from tests.localize.test_media import _png_header

    folder = tmp_path / "bombs"
    folder.mkdir()
    (folder / "png_bomb.png").write_bytes(_png_header(12000, 12000))
    cv2.imwrite(str(tmp_path / "small.hdr"), np.ones((8, 8, 3), np.float32))
    hdr = (tmp_path / "small.hdr").read_bytes()
    assert b"-Y 8 +X 8" in hdr
    hdr = hdr.replace(b"-Y 8 +X 8", b"-Y 15000 +X 15000")  # OpenCV would allocate 2.7 GB for it
    (folder / "hdr_bomb.png").write_bytes(hdr)
    out = tmp_path / "out"
    code = (
        "import sys, json; from localize.cli.main import main; "
        f"rc = main(['inspect', {str(folder)!r}, '--out', {str(out)!r}, '--model', {str(bundle_path)!r}]); "
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]; "
        "print('RESULT', rc, int(hwm) // 1024)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    rc, peak_mb = (int(v) for v in done.stdout.split("RESULT")[1].split())
    assert rc == 1 and peak_mb < 1000, (rc, peak_mb)
    (line,) = done.stderr.strip().splitlines()
    assert "none of the 2 inputs can be read" in line
    assert "header gives no size" in line and "12000x12000 exceeds the limit" in line
    assert not out.exists()


def test_inspect_flip_average_overrides_the_bundle_and_results_record_it(bundle_path, inputs, tmp_path):
    image = inputs / "fake.png"
    scores = {}
    for flag in ("--no-flip-average", "--flip-average"):
        out = tmp_path / flag
        assert run_inspect(bundle_path, out, image, extra=[flag, "--min-region", "20"]) == 0
        results = json.loads((out / "results.json").read_text())
        assert results["parameters"]["flip_average"] is (flag == "--flip-average")
        assert ("mirror image" in (out / "report.html").read_text()) is (flag == "--flip-average")
        scores[flag] = results["inputs"][0]["frames"][0]["score"]
    assert scores["--flip-average"] != scores["--no-flip-average"]


def test_an_interrupted_inspection_goes_on_where_it_stopped(
    bundle_path, inputs, tmp_path, monkeypatch, capsys
):
    """Ctrl-C keeps the inputs finished so far; the same command again analyses only the rest, and
    a change of settings or of a file's contents is analysed afresh (with no stale frame images left)."""
    import localize.cli.inspect as cli_inspect
    import localize.cli.resume as resume

    analyse, analysed, sha256 = cli_inspect._analyse, [], cli_inspect.sha256_of

    def counting(localizer, path, *args):
        if len(analysed) == 1 and interrupt:
            raise KeyboardInterrupt
        analysed.append(path.name)
        return analyse(localizer, path, *args)

    monkeypatch.setattr(cli_inspect, "_analyse", counting)
    monkeypatch.setattr(cli_inspect, "RESULTS_EVERY_S", 1e9)  # written only at the end or on Ctrl-C
    out = tmp_path / "out"
    interrupt = True
    assert run_inspect(bundle_path, out, inputs, extra=["--every", "2"]) == 130
    assert "run the same command again" in capsys.readouterr().err
    assert len(json.loads((out / "results.json").read_text())["inputs"]) == 1

    interrupt, first = False, analysed.pop()
    assert run_inspect(bundle_path, out, inputs, extra=["--every", "2"]) == 0
    assert first not in analysed and len(analysed) == 2  # the finished input was kept
    resumed = json.loads((out / "results.json").read_text())["inputs"]
    fresh_out = tmp_path / "fresh"
    assert run_inspect(bundle_path, fresh_out, inputs, extra=["--every", "2"]) == 0
    fresh = json.loads((fresh_out / "results.json").read_text())["inputs"]
    assert [(e["path"], e["verdict"], e["frames"]) for e in resumed] == [
        (e["path"], e["verdict"], e["frames"]) for e in fresh
    ]

    analysed.clear()
    hashed = []
    for module in (cli_inspect, resume):  # the resumption check hashes, and so does a fresh analysis
        monkeypatch.setattr(module, "sha256_of", lambda path: hashed.append(path.name) or sha256(path))
    write_png(inputs / "real.png", np.zeros((64, 64, 3), np.uint8))  # same name, other contents
    assert run_inspect(bundle_path, out, inputs, extra=["--every", "2"]) == 0
    assert analysed == ["real.png"]
    names = ["clip.mp4", "fake.png", "real.png"]
    assert sorted(name for name in hashed if name in names) == names  # each once, kept or analysed again

    analysed.clear()
    assert run_inspect(bundle_path, out, inputs, extra=["--every", "3"]) == 0  # other settings: all again
    assert len(analysed) == 3
    clip = next(e for e in json.loads((out / "results.json").read_text())["inputs"] if "clip" in e["path"])
    folder = (out / clip["frames"][0]["overlay"]).parent
    assert sorted(p.name for p in folder.glob("*.mask.png")) == [
        f"frame_{i:06d}.mask.png" for i in range(0, 12, 3)
    ]


def test_a_video_that_ends_early_says_so_in_results_report_and_closing_screen(
    bundle_path, cut_clip, tmp_path, capsys
):
    """A file that holds fewer frames than its header declares (cut off in transfer, damaged) is analysed
    as far as it goes, and the record an analyst files says how far that was."""
    whole, cut = cut_clip
    out = tmp_path / "out"
    assert run_inspect(bundle_path, out, whole, cut, extra=["--max-frames", "8"]) == 0
    results = json.loads((out / "results.json").read_text())
    complete, short = results["inputs"]
    assert complete["frames_sampled"] == 8 and len(complete["frames"]) == 8 and complete["warnings"] == []
    analysed = len(short["frames"])
    assert short["status"] == "ok" and short["frames_sampled"] == 8 and 0 < analysed < 8
    ends = (
        "the video ends before the 40 frames its header declares (truncated or damaged?): "
        f"{analysed} of the 8 frames sampled were there to analyse"
    )
    # decoding on one thread also meets the cut as an error, and says where it stopped
    others = [w for w in short["warnings"] if w != ends]
    assert ends in short["warnings"] and all(w.startswith("decoding stopped after frame") for w in others)
    html = (out / "report.html").read_text()
    assert (
        html.count('class="warning"') == len(short["warnings"])
        and "the video ends before the 40 frames" in html
    )
    lines = capsys.readouterr().out.splitlines()
    assert any(
        line.endswith(f"cut.mp4  (ends early: {analysed} of 8 frames sampled were there)") for line in lines
    )
    assert not any("ends early" in line for line in lines if line.endswith("whole.mp4"))


def test_results_are_written_every_few_seconds_not_after_every_input(
    bundle_path, inputs, tmp_path, monkeypatch
):
    """results.json is rewritten whole, so writing it after each of thousands of photos would cost
    quadratic time; it is written when RESULTS_EVERY_S have passed, and once at the end."""
    import localize.cli.inspect as cli_inspect
    import localize.report.writer as report

    writes, write = [], report.write_results
    monkeypatch.setattr(report, "write_results", lambda out, results: writes.append(1) or write(out, results))
    assert run_inspect(bundle_path, tmp_path / "once", inputs) == 0
    assert len(writes) == 1  # the default interval outlasts three tiny inputs
    writes.clear()
    monkeypatch.setattr(cli_inspect, "RESULTS_EVERY_S", 0.0)
    assert run_inspect(bundle_path, tmp_path / "each", inputs) == 0
    assert len(writes) == 4  # after each of the 3 inputs, and at the end
    assert len(json.loads((tmp_path / "each" / "results.json").read_text())["inputs"]) == 3


def test_the_report_opens_with_the_inputs_to_examine_first():
    from localize.report.writer import triage

    def entry(name, verdict, scores):
        return {
            "path": f"/case/{name}",
            "verdict": verdict,
            "frames": [{"score": x, "is_fake": x > 0.5} for x in scores],
        }

    inputs = [
        entry("a_real.mp4", "REAL", [0.1, 0.4]),
        entry("b_fake.png", "FAKE", [0.7]),
        entry("c_broken.mp4", "FAILED", []),
        entry("d_fake.mp4", "FAKE", [0.2, 0.9, 0.95]),
        entry("e_real.png", "REAL", [0.45]),
    ]
    rows = triage(inputs)
    assert [(r["name"], r["number"]) for r in rows] == [
        ("d_fake.mp4", 4),  # fakes by their highest frame score
        ("b_fake.png", 2),
        ("c_broken.mp4", 3),
        ("e_real.png", 5),  # reals too: the nearest to the threshold first
        ("a_real.mp4", 1),
    ]
    assert (rows[0]["fake_frames"], rows[0]["frames"], rows[0]["top"]) == (2, 3, 0.95)
    assert rows[2]["top"] is None


def test_warnings_about_an_input_are_in_its_record_and_its_report_section(bundle_path, pairs, tmp_path):
    """What the console says about an input (here: an animated PNG of which only the first frame is
    analysed) is in results.json and the report, without the path, once; other inputs have none."""
    folder = tmp_path / "case"
    folder.mkdir()
    frames = [Image.fromarray(pairs[1].fake), Image.fromarray(pairs[0].real)]
    frames[0].save(folder / "moving.png", save_all=True, append_images=frames[1:])
    write_png(folder / "still.png", pairs[0].real)
    out = tmp_path / "out"
    assert run_inspect(bundle_path, out, folder) == 0
    moving, still = json.loads((out / "results.json").read_text())["inputs"]
    assert moving["warnings"] == ["animated image of 2 frames; only the first frame is analysed"]
    assert still["warnings"] == []
    html = (out / "report.html").read_text()
    assert html.count('class="warning"') == 1 and "Note: animated image of 2 frames" in html


def test_an_input_that_cannot_be_read_is_one_line_and_a_full_disk_stops_the_run_in_one(
    bundle_path, inputs, tmp_path, monkeypatch, capsys
):
    """The file system saying no about one input (a permission, an I/O error on a failing disk) fails that
    input in one line; a full disk fails the run in one line, keeping what was recorded: no traceback."""
    import errno

    import localize.cli.inspect as cli_inspect

    sha256 = cli_inspect.sha256_of

    def unreadable(path):
        if path.name == "fake.png":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return sha256(path)

    monkeypatch.setattr(cli_inspect, "sha256_of", unreadable)
    out = tmp_path / "out"
    assert run_inspect(bundle_path, out, inputs) == 1
    captured = capsys.readouterr()
    assert (
        "Traceback" not in captured.err
        and f"skipped: {inputs / 'fake.png'}: Permission denied" in captured.err
    )
    entries = json.loads((out / "results.json").read_text())["inputs"]
    assert [e["status"] for e in entries] == ["ok", "failed", "ok"]

    def full(path, image):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cli_inspect, "write_png", full)
    assert run_inspect(bundle_path, tmp_path / "full", inputs) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip().endswith("forgeloc inspect: error: No space left on device")


def test_evidence_images_can_be_kept_for_fake_frames_only_or_none(bundle_path, inputs, tmp_path):
    """--every 1 on a long video would write an overlay and a mask per frame (about 1 MB a 1080p frame):
    --evidence fake keeps the images of the frames judged fake, --evidence none none; results are the
    same and say which images exist."""
    runs = {}
    for mode in ("all", "fake", "none"):
        out = tmp_path / mode
        assert run_inspect(bundle_path, out, inputs, extra=["--every", "1", "--evidence", mode]) == 0
        runs[mode] = json.loads((out / "results.json").read_text())
        assert runs[mode]["parameters"]["evidence"] == mode
        frames = [f for e in runs[mode]["inputs"] for f in e["frames"]]
        kept = {(out / f["overlay"]) for f in frames if f["overlay"]}
        assert kept == set((out / "frames").rglob("frame_??????.png"))  # what is named is what exists
        expected = {"all": len(frames), "fake": sum(f["is_fake"] for f in frames), "none": 0}[mode]
        assert len(kept) == expected and 0 < sum(f["is_fake"] for f in frames) < len(frames)
        html = (out / "report.html").read_text()
        pictured = [sum(bool(f["overlay"]) for f in e["frames"]) for e in runs[mode]["inputs"]]
        assert html.count('class="overlay"') == sum(min(6, n) for n in pictured)  # the strips show those
        assert html.count("No frame images kept") == pictured.count(0)
    scores = {mode: [f["score"] for e in r["inputs"] for f in e["frames"]] for mode, r in runs.items()}
    assert scores["all"] == scores["fake"] == scores["none"]
    assert run_inspect(bundle_path, tmp_path / "x", inputs, extra=["--evidence", "some"]) == 2


def test_a_large_case_pictures_only_the_first_inputs_to_examine(bundle_path, inputs, tmp_path, monkeypatch):
    """Thousands of photos would make a report no browser opens: pictures (timeline, thumbnails) go to the
    first MAX_PICTURED_INPUTS inputs in the order to examine them; the others say where theirs are."""
    import localize.report.writer as report

    monkeypatch.setattr(report, "MAX_PICTURED_INPUTS", 1)
    out = tmp_path / "out"
    assert run_inspect(bundle_path, out, inputs, extra=["--every", "2"]) == 0
    results = json.loads((out / "results.json").read_text())
    first = report.triage(results["inputs"])[0]
    html = (out / "report.html").read_text()
    assert html.count("Pictures left out: only the first 1 inputs") == 2
    sections = html.split('<section class="input" id="input-')[1:]
    pictured = [s.split('"', 1)[0] for s in sections if 'class="overlay"' in s]
    assert pictured == [str(first["number"])] and first["verdict"] == "FAKE"


def test_a_large_case_closes_with_the_inputs_not_judged_real(
    bundle_path, inputs, tmp_path, monkeypatch, capsys
):
    import localize.cli.inspect as cli_inspect

    monkeypatch.setattr(cli_inspect, "SCREEN_INPUTS", 2)
    assert run_inspect(bundle_path, tmp_path / "out", inputs) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("FAKE") and line.endswith("clip.mp4") for line in lines)
    assert any(line.startswith("FAKE") and line.endswith("fake.png") for line in lines)
    assert not any(line.endswith("real.png") for line in lines)
    assert any(line.endswith("1 more input(s) judged real: listed in the report") for line in lines)
