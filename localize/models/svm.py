"""mesoinception4_svm (seed 002): an RBF SVM on MesoInception4's 16-d penultimate features.

The SVM is fitted with scikit-learn after the network and stored as plain tensors (support vectors, dual
coefficients, intercept, gamma, feature scaling), so a bundle holds it without pickling. The output is
the SVM decision value, positive for fake, used as the logit.
"""

from __future__ import annotations

import torch
from torch import nn

from localize.models.mesonet import MesoNet
from localize.models.registry import ModelSpec, register


class MesoSVM(nn.Module):
    """MesoInception4 features -> standardise -> RBF SVM decision value."""

    def __init__(self, support_vectors: int = 1, head_activation: str = "leaky_relu") -> None:
        super().__init__()
        self.network = MesoNet(inception=True, head_activation=head_activation)
        self.register_buffer("support", torch.zeros(support_vectors, 16))
        self.register_buffer("dual_coef", torch.zeros(support_vectors))
        self.register_buffer("intercept", torch.zeros(1))
        self.register_buffer("gamma", torch.ones(1))
        self.register_buffer("feature_mean", torch.zeros(16))
        self.register_buffer("feature_std", torch.ones(16))

    def scaled_features(self, x: torch.Tensor) -> torch.Tensor:
        return (self.network.features(x) - self.feature_mean) / self.feature_std

    def decision(self, features: torch.Tensor) -> torch.Tensor:
        """sum_i a_i exp(-gamma |f - s_i|^2) + b, as scikit-learn's SVC.decision_function."""
        kernel = torch.exp(-self.gamma * torch.cdist(features, self.support).pow(2))
        return kernel @ self.dual_coef + self.intercept

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decision(self.scaled_features(x))


register(ModelSpec("mesoinception4_svm", "classification", MesoSVM))
