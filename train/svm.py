"""Fit mesoinception4_svm: scikit-learn's RBF SVC on a trained MesoInception4's penultimate features."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.svm import SVC

from localize.common.errors import ConfigError
from localize.models.mesonet import MesoNet
from localize.models.svm import MesoSVM


def fit_svm(network: MesoNet, batches, C: float = 1.0) -> MesoSVM:
    """A MesoSVM around `network`, its SVM fitted on (image, mask, label) batches (the training split)."""
    network.eval()
    features, labels = [], []
    with torch.no_grad():
        for x, _, label in batches:
            features.append(network.features(x))
            labels.append(label)
    f = torch.cat(features).numpy().astype(np.float64)
    y = torch.cat(labels).numpy().astype(int)
    if len(set(y.tolist())) < 2:
        raise ConfigError("the SVM needs real and fake samples in the training split")
    mean, std = f.mean(0), f.std(0) + 1e-6
    svc = SVC(C=C, kernel="rbf", gamma="scale").fit((f - mean) / std, y)
    model = MesoSVM(support_vectors=len(svc.support_vectors_))
    model.network.load_state_dict(network.state_dict())
    gamma = svc._gamma  # "scale" resolved by fit: 1 / (n_features * X.var())
    for name, value in (
        ("support", svc.support_vectors_),
        ("dual_coef", svc.dual_coef_[0]),
        ("intercept", svc.intercept_),
        ("gamma", [gamma]),
        ("feature_mean", mean),
        ("feature_std", std),
    ):
        getattr(model, name).copy_(torch.as_tensor(np.asarray(value), dtype=torch.float32))
    return model.eval()
