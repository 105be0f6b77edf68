"""mesoinception4_svm: the torch decision function equals scikit-learn's, and it survives a bundle."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.svm import SVC

from localize.inference.bundle import load_bundle, save_bundle
from localize.models import build_model
from train.svm import fit_svm


def test_svm_matches_scikit_learn_and_roundtrips(tmp_path):
    torch.manual_seed(0)
    network = build_model("mesoinception4").eval()
    x = torch.rand(16, 3, 256, 256)
    x[8:] = x[8:] * 0.4 + 0.3
    y = torch.tensor([0.0] * 8 + [1.0] * 8)
    model = fit_svm(network, [(x[:10], None, y[:10]), (x[10:], None, y[10:])])
    with torch.no_grad():
        features = network.features(x).double().numpy()
        ours = model(x).numpy()
    mean, std = features.mean(0), features.std(0) + 1e-6
    reference = SVC(kernel="rbf", gamma="scale").fit((features - mean) / std, y.int().numpy())
    np.testing.assert_allclose(ours, reference.decision_function((features - mean) / std), atol=1e-3)
    assert ((ours > 0) == y.bool().numpy()).all()

    path = save_bundle(tmp_path / "svm", model, "mesoinception4_svm", {"support_vectors": len(model.support)})
    with torch.no_grad():
        assert torch.equal(load_bundle(path).model(x), model(x))
