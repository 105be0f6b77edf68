"""Our metrics against scikit-learn on random data, and the declared policies on hand-made edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from eval.metrics import binary_scores, dice, eer, group_videos, iou, pixel_scores


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
