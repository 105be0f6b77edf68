"""ROC and precision-recall curves of frame scores (matplotlib PNG bytes), one curve per model."""

from __future__ import annotations

import io

from sklearn import metrics as skm


def curves_png(runs: list[dict], kind: str) -> bytes:
    """kind "roc" or "pr": every run's frame-score curve on one plot (runs with one class are skipped)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(4.5, 4), dpi=100)
    for run in runs:
        labels, scores = run["frame_scores"]["labels"], run["frame_scores"]["scores"]
        if len(set(labels)) < 2:
            continue
        if kind == "roc":
            x, y, _ = skm.roc_curve(labels, scores)
            label = f"{run['model']} (AUC {skm.auc(x, y):.3f})"
        else:
            y, x, _ = skm.precision_recall_curve(labels, scores)
            label = f"{run['model']} (AP {skm.average_precision_score(labels, scores):.3f})"
        axes.plot(x, y, label=label)
    if kind == "roc":
        axes.plot([0, 1], [0, 1], ":", color="grey")
        axes.set_xlabel("false positive rate")
        axes.set_ylabel("true positive rate")
    else:
        axes.set_xlabel("recall")
        axes.set_ylabel("precision")
    axes.set_title(
        f"{'ROC' if kind == 'roc' else 'Precision-recall'}: {runs[0]['data'].rstrip('/').split('/')[-1]}"
    )
    axes.legend(fontsize=7, loc="lower right" if kind == "roc" else "lower left")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()
