"""Our metrics against scikit-learn on random data, and the declared policies on hand-made edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from eval.metrics import binary_scores, dice, eer, group_videos, interval, iou, pixel_scores, resampled_aucs


def test_pixel_metrics_match_scikit_learn_on_random_masks():
    rng = np.random.default_rng(0)
    for _ in range(20):
        pred, target = rng.random((32, 32)) > 0.6, rng.random((32, 32)) > 0.7
        assert dice(pred, target) == pytest.approx(skm.f1_score(target.ravel(), pred.ravel()))
        assert iou(pred, target) == pytest.approx(skm.jaccard_score(target.ravel(), pred.ravel()))


def test_empty_mask_policy_and_both_averages():
    empty = np.zeros((8, 8), bool)
    full = np.ones((8, 8), bool)
    assert dice(empty, empty) == 1.0 and iou(empty, empty) == 1.0
    assert dice(empty, full) == 0.0 and dice(full, empty) == 0.0
    half = np.zeros((8, 8), bool)
    half[:4] = True
    scores = pixel_scores([(empty, empty), (half, full)])
    assert scores.dice_mean == pytest.approx((1.0 + 2 * 32 / (32 + 64)) / 2)
    assert scores.dice_dataset == pytest.approx(2 * 32 / (32 + 64))  # the empty pair adds no pixels
    with pytest.raises(ValueError, match="differ in shape"):
        dice(empty, np.zeros((4, 4), bool))


def test_binary_scores_match_scikit_learn():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 200)
    scores = np.clip(labels * 0.3 + rng.random(200) * 0.7, 0, 1)
    predicted = scores > 0.5
    got = binary_scores(labels, predicted, scores)
    assert got.f1 == pytest.approx(skm.f1_score(labels, predicted))
    assert got.precision == pytest.approx(skm.precision_score(labels, predicted))
    assert got.roc_auc == pytest.approx(skm.roc_auc_score(labels, scores))
    assert got.pr_auc == pytest.approx(skm.average_precision_score(labels, scores))
    assert got.confusion == skm.confusion_matrix(labels, predicted).tolist()
    assert 0 < got.eer < 0.5


def test_eer_of_perfect_and_inverted_scores():
    labels = [0, 0, 1, 1]
    assert eer(labels, [0.1, 0.2, 0.8, 0.9]) == 0.0
    assert eer(labels, [0.9, 0.8, 0.2, 0.1]) == 1.0


def test_all_real_set_has_no_auc_but_honest_counts():
    got = binary_scores([0, 0, 0], [False, True, False], [0.1, 0.7, 0.2])
    assert math.isnan(got.roc_auc) and math.isnan(got.eer)
    assert got.accuracy == pytest.approx(2 / 3) and got.f1 == 0.0 and got.confusion == [[2, 1], [0, 0]]


def test_videos_group_by_true_id_not_by_folder_name():
    ids = ["Deepfakes/000_003"] * 3 + ["Face2Face/000_003"] * 3 + ["real/000"] * 2
    labels = [1] * 6 + [0] * 2
    flags = [True, True, False, False, False, True, False, True]
    scores = [0.9, 0.8, 0.2, 0.1, 0.3, 0.7, 0.2, 0.6]
    votes = group_videos(ids, labels, flags, scores)
    assert votes.ids == ["Deepfakes/000_003", "Face2Face/000_003", "real/000"]
    assert votes.majority == [True, False, False]  # 1 of 2 real frames is not more than half
    assert votes.mean_scores[0] == pytest.approx((0.9 + 0.8 + 0.2) / 3)
    with pytest.raises(ValueError, match="different labels"):
        group_videos(["a", "a"], [0, 1], [True, True], [0.5, 0.5])


def test_auc_intervals_hold_the_auc_and_widen_when_frames_come_in_videos():
    rng = np.random.default_rng(3)
    labels = np.repeat([0, 1], 20)
    scores = labels * 0.4 + rng.random(40)
    auc = skm.roc_auc_score(labels, scores)
    single = interval(resampled_aucs(labels, [scores])[:, 0])
    assert single[0] < auc < single[1]
    # ten identical frames per video: no more information, so no narrower interval once grouped by video
    many, videos = np.repeat(labels, 10), np.repeat([f"v{i}" for i in range(40)], 10)
    frames = interval(resampled_aucs(many, [np.repeat(scores, 10)])[:, 0])
    grouped = interval(resampled_aucs(many, [np.repeat(scores, 10)], videos)[:, 0])
    assert frames[1] - frames[0] < 0.5 * (grouped[1] - grouped[0])  # treating frames as independent lies
    assert grouped[1] - grouped[0] == pytest.approx(single[1] - single[0], rel=0.3)
    assert binary_scores(many, many > 0, np.repeat(scores, 10), groups=videos).roc_auc_ci == pytest.approx(
        grouped
    )


def test_paired_differences_cancel_what_two_models_share():
    from eval.compare import paired_differences

    rng = np.random.default_rng(4)
    labels = np.repeat([0, 1], 100).tolist()
    base = np.asarray(labels) * 0.5 + rng.random(200)
    better = base + np.asarray(labels) * 0.05  # the same scores, every fake raised: strictly better
    runs = [
        {
            "model": m,
            "data": "d",
            "frame": {"roc_auc": skm.roc_auc_score(labels, s)},
            "frame_scores": {"labels": labels, "scores": s.tolist()},
        }
        for m, s in (("a", base), ("b", better), ("a again", base))
    ]
    b, again = paired_differences(runs)
    assert b["reference"] == "a" and b["difference"] > 0 and b["ci"][0] > 0  # told apart
    assert again["difference"] == 0 and again["ci"] == (0.0, 0.0)
    # alone, their intervals overlap: the pairing is what tells them apart
    alone = [interval(resampled_aucs(labels, [s])[:, 0]) for s in (base, better)]
    assert alone[1][0] < alone[0][1]


def test_the_bootstrap_auc_is_scikit_learns_ties_included():
    from eval.metrics import rank_auc

    rng = np.random.default_rng(5)
    labels = rng.integers(0, 2, 300)
    scores = np.round(labels * 0.2 + rng.random(300), 1)  # many ties
    assert rank_auc(labels, scores) == pytest.approx(skm.roc_auc_score(labels, scores))
