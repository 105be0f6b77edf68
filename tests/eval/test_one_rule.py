"""One frame, one verdict: `forgeloc eval`'s frame rule and `forgeloc inspect` give the same crop the
same score and verdict (one predict path, one decision rule), and region sizes are counted at the
model's input resolution whatever size the map is shown at."""

from __future__ import annotations

import json

import cv2
import numpy as np

from eval.evaluate import frame_flag
from eval.predict import outputs
from localize.cli.main import main
from localize.inference.bundle import load_bundle
from localize.inference.decide import frame_is_fake
from mask_gen.manifest import split_rows


def test_eval_and_inspect_agree_on_every_crop(tiny_unet, tiny_dataset, tmp_path):
    rows = split_rows(tiny_dataset, "test")
    peaks = [float(out.max()) for out, _ in outputs(load_bundle(tiny_unet()), tiny_dataset, rows)]
    # a threshold between the crops' peaks, so some crops are called fake and some real
    bundle_path = tiny_unet(confidence=float(np.median(peaks)) - 1e-6, min_region_px=0)
    bundle = load_bundle(bundle_path)
    judged = [(frame_flag(bundle, out), float(out.max())) for out, _ in outputs(bundle, tiny_dataset, rows)]
    paths = [tiny_dataset / r.image for r in rows]
    out = tmp_path / "inspect"
    main(["inspect", *map(str, paths), "--out", str(out), "--model", str(bundle_path), "--crop", "none"])
    results = json.loads((out / "results.json").read_text())["inputs"]
    seen = [(entry["frames"][0]["is_fake"], entry["frames"][0]["score"]) for entry in results]
    assert len(seen) == len(judged) >= 2
    for (flag_eval, score_eval), (flag_inspect, score_inspect) in zip(judged, seen, strict=True):
        assert flag_eval == flag_inspect
        assert abs(score_eval - score_inspect) < 1e-3
    assert len({flag for flag, _ in judged}) == 2  # both verdicts occur: the agreement is not vacuous


def test_region_sizes_are_counted_at_the_input_resolution():
    prob = np.zeros((64, 64), np.float32)
    prob[10:20, 10:20] = 0.9  # 100 px at the model's 64 px input
    assert frame_is_fake(prob, 0.5, 90, (64, 64))
    shown = cv2.resize(prob, (256, 256), interpolation=cv2.INTER_NEAREST)  # 1600 px at 256 px
    assert frame_is_fake(shown, 0.5, 90, (64, 64)) and not frame_is_fake(shown, 0.5, 110, (64, 64))
    assert frame_is_fake(shown, 0.5, 110)  # unscaled, the larger map would pass a rule it should fail
