"""Paired comparisons of models evaluated on the same data: the frame ROC-AUC difference with a 95 %
bootstrap interval over the same resamples of whole videos for both models, so that what the frames
share (the same faces, the same videos) cancels out of the difference."""

from __future__ import annotations

from eval.metrics import interval, resampled_aucs


def paired_difference(reference: dict, run: dict) -> dict | None:
    """`run` against `reference` (two runs of `forgeloc eval` on the same data): {"data", "reference",
    "model", "difference", "ci"}, the difference being run minus reference; None when the two did not
    score the same frames."""
    ours, theirs = run.get("frame_scores"), reference.get("frame_scores")
    if ours is None or theirs is None or ours["labels"] != theirs["labels"]:
        return None
    aucs = resampled_aucs(ours["labels"], [theirs["scores"], ours["scores"]], ours.get("videos"))
    return {
        "data": run["data"],
        "reference": reference["model"],
        "model": run["model"],
        "difference": run["frame"]["roc_auc"] - reference["frame"]["roc_auc"],
        "ci": interval(aucs[:, 1] - aucs[:, 0]),
    }


def paired_differences(runs: list[dict]) -> list[dict]:
    """For each dataset, every run against the first one on it (`paired_difference`)."""
    first: dict[str, dict] = {}
    rows = []
    for run in runs:
        reference = first.setdefault(run["data"], run)
        row = None if reference is run else paired_difference(reference, run)
        rows += [row] if row else []
    return rows
