"""The subcommands train declares to `forgeloc` (entry-point group forgeloc.commands)."""

COMMANDS = {
    "train": ("train.cli", "train a model with Lightning: forgeloc train fit --config configs/NAME.yaml"),
    "export": ("train.export", "export a training checkpoint as a model bundle (safetensors + json)"),
    "interpolate": ("train.interpolate", "a bundle on the line between two bundles' weights (WiSE-FT)"),
}
