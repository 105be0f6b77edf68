"""Paired comparisons of models evaluated on the same data: the frame ROC-AUC difference with a 95 %
bootstrap interval over the same resamples of whole videos for both models, so that what the frames
share (the same faces, the same videos) cancels out of the difference."""

from __future__ import annotations

from eval.metrics import interval, resampled_aucs


def paired_differences(runs: list[dict]) -> list[dict]:
    """For each dataset, every model against the first one run on it: {"data", "reference", "model",
    "difference", "ci"}; the difference is model minus reference."""
    first: dict[str, dict] = {}
    rows = []
    for run in runs:
        data, scores = run["data"], run.get("frame_scores")
        if scores is None:
            continue
        reference = first.setdefault(data, run)
        if reference is run or reference["frame_scores"]["labels"] != scores["labels"]:
            continue
        aucs = resampled_aucs(
            scores["labels"],
            [reference["frame_scores"]["scores"], scores["scores"]],
            scores.get("videos"),
        )
        rows.append(
            {
                "data": data,
                "reference": reference["model"],
                "model": run["model"],
                "difference": run["frame"]["roc_auc"] - reference["frame"]["roc_auc"],
                "ci": interval(aucs[:, 1] - aucs[:, 0]),
            }
        )
    return rows
