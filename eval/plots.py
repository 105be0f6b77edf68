"""ROC and precision-recall curves of frame scores (matplotlib PNG bytes), one curve per model."""

from __future__ import annotations

import io

from sklearn import metrics as skm


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(figure) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    _pyplot().close(figure)
    return buffer.getvalue()


def curves_png(runs: list[dict], kind: str) -> bytes:
    """kind "roc" or "pr": every run's frame-score curve on one plot (runs with one class are skipped)."""
    figure, axes = _pyplot().subplots(figsize=(4.5, 4), dpi=100)
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
    return _png(figure)


def degradation_png(title: str, rows: list[dict]) -> bytes:
    """Robustness: frame AUC and pixel Dice against each perturbation's level, one panel per kind, the
    clean figure as a dotted line."""
    clean = next(r for r in rows if r["kind"] == "none")
    kinds = list(dict.fromkeys(r["kind"] for r in rows if r["kind"] != "none"))
    figure, axes = _pyplot().subplots(1, len(kinds), figsize=(2.4 * len(kinds), 2.8), dpi=100, squeeze=False)
    for axis, kind in zip(axes[0], kinds, strict=True):
        points = [r for r in rows if r["kind"] == kind]
        levels = [r["level"] for r in points]
        for key, label, colour in (("frame_auc", "frame AUC", "C0"), ("dice", "Dice", "C1")):
            if clean[key] is None:
                continue
            axis.plot(levels, [r[key] for r in points], "o-", color=colour, label=label)
            axis.axhline(clean[key], color=colour, linestyle=":", linewidth=1)
        axis.set_title(kind)
        axis.set_ylim(0, 1)
        if kind == "jpeg":
            axis.invert_xaxis()  # lower quality to the right: worse to the right in every panel
    axes[0][0].legend(fontsize=7)
    figure.suptitle(title, fontsize=9)
    return _png(figure)


def attack_png(title: str, rows: list[dict]) -> bytes:
    """Adversarial: attack success rate against eps, one line per source x attack x re-compression."""
    figure, axis = _pyplot().subplots(figsize=(8.5, 4), dpi=100)
    styles = {}
    for row in rows:
        styles.setdefault((row["source"], row["attack"]), f"C{len(styles)}")
    for (source, attack), colour in styles.items():
        for number, condition in enumerate(dict.fromkeys(r["recompress"] for r in rows)):
            points = [
                r for r in rows if (r["source"], r["attack"], r["recompress"]) == (source, attack, condition)
            ]
            axis.plot(
                [r["eps"] for r in points],
                [r["success_rate"] for r in points],
                marker="o",
                linestyle=("-", "--", ":", "-.")[number % 4],
                color=colour,
                label=f"{attack} {source}, {condition}",
            )
    axis.set_xlabel("eps (grey levels of 255, L-inf)")
    axis.set_ylabel("attack success rate")
    axis.set_ylim(0, 1.02)
    axis.set_title(title, fontsize=9)
    axis.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return _png(figure)
