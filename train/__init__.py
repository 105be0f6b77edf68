"""Training with PyTorch Lightning: data modules, the segmentation and classification modules, LightningCLI, export to bundles."""
