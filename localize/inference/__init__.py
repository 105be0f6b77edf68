"""From frames to verdicts: model bundles and their runtimes (PyTorch, ONNX Runtime), the preprocessing
record, the frame and video decision rules, full-frame maps from crop outputs, and the Localizer that
runs them over images and videos."""
