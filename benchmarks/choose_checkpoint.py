"""Choose a run's checkpoint on real forgeries by the rule its config fixed before training
(configs/sbi_real_faces.yaml), and print every candidate's validation figures beside the default's.

    python benchmarks/choose_checkpoint.py CHECKPOINT_DIR [--forgeries data/ffpp_c40_val] [--json OUT]
                                           [--max-flagged 0.05] [--score head|map]

Every `step=N-...ckpt` in CHECKPOINT_DIR is exported (flip-averaged, as the default ships) and run on the
`val` crops of a `forgeloc mask-gen` folder of real forgeries one may choose on (FF++ c40 validation
pairs, never test material): frame ROC-AUC of each method's fakes against the real crops (the frame
score is the map's maximum, as eval scores frames, or for a model with a classification head beside its
mask (smp `aux_params`, configs/sbi_class_head.yaml) the head's probability, flip-averaged alike, or
with `--score map` the map's maximum; the other reading's figures are printed beside), and their mean. The held-out real faces' false-alarm
rate (`val_real_flagged`, the frame rule at 0.5 on the run's held-out self-blend people) is read from the
checkpoint's name, where training wrote it. The rule: among checkpoints flagging at most `--max-flagged`
(5 %) of held-out real faces, the best mean AUC; ties within 0.005 go to the later step; when none is
under the cap, the checkpoint flagging fewest. The bundled default is scored on the same crops as the
reference row. The figures are choosing figures, never test figures.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from eval.predict import batches, outputs
from localize.inference.bundle import average_with_mirror, load_bundle
from localize.inference.localizer import default_bundle_path
from mask_gen.manifest import split_rows
from train.export import export_checkpoint, record_flip_average
from train.modules import split_outputs

NAME = re.compile(r"step=(\d+)-val_forgeries_frame_auc=([\d.]+)-val_real_flagged=([\d.]+)\.ckpt")
TIE = 0.005


def head_scores(bundle, data: Path, rows) -> tuple[np.ndarray, np.ndarray]:
    """(head probabilities, map maxima) of a bundle whose model returns (mask logits, frame logits),
    by PyTorch on the bundle's preprocessing, averaged with the mirror image as Bundle.predict averages
    (average_with_mirror) when the bundle says so."""
    record, heads, maxima = bundle.preprocessing, [], []

    def run(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        masks, frames = split_outputs(bundle.model(x))
        return torch.sigmoid(masks), torch.sigmoid(frames)

    with torch.inference_mode():
        for images, _ in batches(data, rows):
            x = torch.from_numpy(record.normalize(np.stack([record.resize(c) for c in images])))
            maps, frames = average_with_mirror(run, x) if bundle.flip_average else run(x)
            heads.append(frames.numpy())
            maxima.append(maps.amax(dim=(1, 2, 3)).numpy())
    return np.concatenate(heads), np.concatenate(maxima)


def has_head(bundle) -> bool:
    """Whether the bundle's model has a classification head beside the mask (smp aux_params)."""
    return getattr(bundle.model, "classification_head", None) is not None


def method_aucs(bundle_path: Path, data: Path, split: str = "val", score: str = "head") -> dict[str, float]:
    """{method: frame AUC of its fakes against the split's real crops, "mean": their mean}; a model with a
    head is scored by the head (`score` "head") or by its map's maximum ("map"), the other reading's
    figures going under "other"."""
    bundle = load_bundle(bundle_path)
    rows = split_rows(data, split)
    if has_head(bundle):
        heads, maxima = head_scores(bundle, data, rows)
        chosen, other = (heads, maxima) if score == "head" else (maxima, heads)
        return {**aucs_of(chosen, rows), "other": aucs_of(other, rows)}
    return aucs_of(np.array([float(out.max()) for out, _ in outputs(bundle, data, rows)]), rows)


def aucs_of(scores: np.ndarray, rows) -> dict[str, float]:
    """{method: frame AUC of its fakes' `scores` against the real rows', "mean": their mean}."""
    methods = np.array([row.method for row in rows])
    labels = np.array([row.label for row in rows])
    aucs = {}
    for method in sorted(set(methods[labels == 1])):
        chosen = (labels == 0) | (methods == method)
        aucs[method] = round(float(roc_auc_score(labels[chosen], scores[chosen])), 4)
    aucs["mean"] = round(float(np.mean(list(aucs.values()))), 4)
    return aucs


def choose(candidates: list[dict], max_flagged: float) -> dict:
    """The rule of the module docstring over rows with "step", "real_flagged" and "aucs"."""
    allowed = [c for c in candidates if c["real_flagged"] <= max_flagged]
    if not allowed:
        return min(candidates, key=lambda c: (c["real_flagged"], -c["step"]))
    best = max(c["aucs"]["mean"] for c in allowed)
    return max((c for c in allowed if c["aucs"]["mean"] >= best - TIE), key=lambda c: c["step"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoints", type=Path)
    parser.add_argument("--forgeries", type=Path, default=Path("data/ffpp_c40_val"))
    parser.add_argument("--max-flagged", type=float, default=0.05)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--score",
        choices=("head", "map"),
        default="head",
        help="the frame score of a model with a classification head: the head's probability, or the map's "
        "maximum as the product reads it (the model is then bundled without its head)",
    )
    args = parser.parse_args()
    candidates = []
    with tempfile.TemporaryDirectory() as scratch:
        for path in sorted(args.checkpoints.glob("step=*.ckpt")):
            match = NAME.fullmatch(path.name)
            if match is None:
                continue
            bundle = export_checkpoint(path, Path(scratch) / f"step{match.group(1)}", keep_head=True)
            record_flip_average(bundle)
            candidates.append(
                {
                    "checkpoint": str(path),
                    "step": int(match.group(1)),
                    "real_flagged": float(match.group(3)),
                    "aucs": method_aucs(bundle, args.forgeries, score=args.score),
                }
            )
    if not candidates:
        raise SystemExit(f"{args.checkpoints}: no step=N-...ckpt checkpoints")
    candidates.sort(key=lambda c: c["step"])
    chosen = choose(candidates, args.max_flagged)
    reference = method_aucs(default_bundle_path(), args.forgeries)
    methods = [m for m in reference if m not in ("mean", "other")]
    print(f"| checkpoint | held-out real flagged | {' | '.join(methods)} | mean |")
    print("|---" * (len(methods) + 3) + "|")
    print(
        f"| bundled default | - | {' | '.join(f'{reference[m]:.3f}' for m in methods)} | {reference['mean']:.3f} |"
    )
    for c in candidates:
        mark = " (chosen)" if c is chosen else ""
        aucs = " | ".join(f"{c['aucs'][m]:.3f}" for m in methods)
        print(f"| step {c['step']}{mark} | {c['real_flagged']:.1%} | {aucs} | {c['aucs']['mean']:.3f} |")
        if "other" in c["aucs"]:
            aucs = " | ".join(f"{c['aucs']['other'][m]:.3f}" for m in methods)
            other = "map maximum" if args.score == "head" else "head"
            print(f"| step {c['step']}, {other} | - | {aucs} | {c['aucs']['other']['mean']:.3f} |")
    if args.json:
        args.json.write_text(
            json.dumps({"default": reference, "candidates": candidates, "chosen": chosen}, indent=2)
        )
    print(f"chosen: {chosen['checkpoint']}")


if __name__ == "__main__":
    main()
