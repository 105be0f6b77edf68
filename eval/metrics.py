"""Evaluation figures with declared policies.

Pixel metrics come per image (then averaged) or dataset-wide (pixel counts summed over all images). The
empty-mask policy: an empty prediction on an empty mask scores 1 (nothing to find, nothing claimed); an
empty prediction on a non-empty mask, or the reverse, scores 0. Frame and video figures use scikit-learn;
videos are grouped by their true video id, never by folder name. ROC-AUCs come with a 95 % bootstrap
interval over resamples of whole videos (a video's frames are drawn together, as they are not independent).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata
from sklearn import metrics as skm


def _counts(pred: np.ndarray, target: np.ndarray) -> tuple[int, int, int]:
    pred, target = np.asarray(pred, bool), np.asarray(target, bool)
    if pred.shape != target.shape:
        raise ValueError(f"prediction {pred.shape} and mask {target.shape} differ in shape")
    tp = int(np.count_nonzero(pred & target))
    return tp, int(np.count_nonzero(pred)) - tp, int(np.count_nonzero(target)) - tp


def dice(pred: np.ndarray, target: np.ndarray) -> float:
    """2|P&T| / (|P| + |T|); 1 when both are empty."""
    tp, fp, fn = _counts(pred, target)
    return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


def iou(pred: np.ndarray, target: np.ndarray) -> float:
    """|P&T| / |P|T|; 1 when both are empty."""
    tp, fp, fn = _counts(pred, target)
    return 1.0 if tp + fp + fn == 0 else tp / (tp + fp + fn)


@dataclass(frozen=True)
class PixelScores:
    """Dice and IoU averaged over images, and dataset-wide (pixels summed over the images)."""

    dice_mean: float
    iou_mean: float
    dice_dataset: float
    iou_dataset: float
    images: int


def pixel_scores(pairs: Iterable[tuple[np.ndarray, np.ndarray]]) -> PixelScores:
    """Both kinds of average over (prediction, mask) pairs."""
    dices, ious, totals = [], [], np.zeros(3, np.int64)
    for pred, target in pairs:
        counts = _counts(pred, target)
        totals += counts
        tp, fp, fn = counts
        dices.append(1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn))
        ious.append(1.0 if tp + fp + fn == 0 else tp / (tp + fp + fn))
    tp, fp, fn = (int(v) for v in totals)
    return PixelScores(
        float(np.mean(dices)) if dices else float("nan"),
        float(np.mean(ious)) if ious else float("nan"),
        1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn),
        1.0 if tp + fp + fn == 0 else tp / (tp + fp + fn),
        len(dices),
    )


@dataclass(frozen=True)
class BinaryScores:
    """Frame- or video-level figures; AUCs are NaN when only one class is present."""

    precision: float
    recall: float
    f1: float
    accuracy: float
    roc_auc: float
    pr_auc: float
    eer: float
    confusion: list[list[int]]  # [[TN, FP], [FN, TP]]
    count: int
    roc_auc_ci: tuple[float, float] = (float("nan"), float("nan"))  # 95 % bootstrap interval


BOOTSTRAP_RESAMPLES = 1000


def resampled_aucs(
    labels: Sequence[int],
    score_sets: Sequence[Sequence[float]],
    groups: Sequence[str] | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
) -> np.ndarray:
    """ROC-AUC of each score set on the same bootstrap resamples, (resamples, sets). Whole groups are
    drawn with replacement (videos: their frames are not independent; each item is its own group when
    `groups` is None); a resample holding one class only is left out."""
    labels = np.asarray(labels, int)
    scores = np.asarray(score_sets, float).reshape(-1, len(labels))
    keys = np.arange(len(labels)) if groups is None else np.unique(np.asarray(groups), return_inverse=True)[1]
    order = np.argsort(keys, kind="stable")
    members = np.split(order, np.cumsum(np.bincount(keys))[:-1])
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(resamples):
        drawn = rng.integers(0, len(members), len(members))
        pick = drawn if groups is None else np.concatenate([members[g] for g in drawn])
        if labels[pick].min() != labels[pick].max():
            rows.append([rank_auc(labels[pick], each[pick]) for each in scores])
    return np.asarray(rows, float).reshape(-1, len(scores))


def rank_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """ROC-AUC as the Mann-Whitney statistic (ties count half, as scikit-learn's does), a tenth of
    roc_auc_score's time: the bootstrap computes thousands."""
    ranks = rankdata(scores)
    positives = labels == 1
    count = int(positives.sum())
    return float((ranks[positives].sum() - count * (count + 1) / 2) / (count * (len(labels) - count)))


def interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """The central `level` percentile interval of bootstrap values (NaNs when there are none)."""
    if len(values) == 0:
        return float("nan"), float("nan")
    low, high = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def eer(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Equal error rate: where the false-positive and false-negative rates cross on the ROC."""
    fpr, tpr, _ = skm.roc_curve(labels, scores)
    fnr = 1 - tpr
    i = int(np.nanargmin(np.abs(fnr - fpr)))
    return float((fpr[i] + fnr[i]) / 2)


def binary_scores(
    labels: Sequence[int],
    predicted: Sequence[bool],
    scores: Sequence[float],
    groups: Sequence[str] | None = None,
) -> BinaryScores:
    """Precision/recall/F1/accuracy of the decisions, ROC-AUC (with its bootstrap interval over `groups`),
    PR-AUC and EER of the scores."""
    labels = np.asarray(labels, int)
    predicted = np.asarray(predicted, int)
    both = len(set(labels.tolist())) == 2
    return BinaryScores(
        float(skm.precision_score(labels, predicted, zero_division=0.0)),
        float(skm.recall_score(labels, predicted, zero_division=0.0)),
        float(skm.f1_score(labels, predicted, zero_division=0.0)),
        float(skm.accuracy_score(labels, predicted)),
        float(skm.roc_auc_score(labels, scores)) if both else float("nan"),
        float(skm.average_precision_score(labels, scores)) if both else float("nan"),
        eer(labels, scores) if both else float("nan"),
        skm.confusion_matrix(labels, predicted, labels=[0, 1]).tolist(),
        len(labels),
        interval(resampled_aucs(labels, [scores], groups)[:, 0]) if both else (float("nan"), float("nan")),
    )


@dataclass(frozen=True)
class VideoVotes:
    """Per true video id: its label, the majority-vote decision and the mean frame score."""

    ids: list[str]
    labels: list[int]
    majority: list[bool]
    mean_scores: list[float]


def group_videos(
    video_ids: Sequence[str],
    labels: Sequence[int],
    flags: Sequence[bool],
    scores: Sequence[float],
    min_fake_fraction: float = 0.5,
) -> VideoVotes:
    """Aggregate frames by their true video id (e.g. "Deepfakes/000_003", not "000_003")."""
    groups: dict[str, list[int]] = {}
    for i, video in enumerate(video_ids):
        groups.setdefault(video, []).append(i)
    ids = sorted(groups)
    out_labels, majority, means = [], [], []
    for video in ids:
        members = groups[video]
        video_labels = {labels[i] for i in members}
        if len(video_labels) != 1:
            raise ValueError(f"video {video!r} has frames with different labels")
        out_labels.append(video_labels.pop())
        majority.append(sum(flags[i] for i in members) / len(members) > min_fake_fraction)
        means.append(float(np.mean([scores[i] for i in members])))
    return VideoVotes(ids, out_labels, majority, means)
