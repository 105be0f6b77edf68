"""The subcommands mask_gen declares to `forgeloc` (registered under the entry-point group
forgeloc.commands in pyproject.toml; modules are imported only when their command runs)."""

COMMANDS = {
    "synth": ("mask_gen.cli.synth", "write synthetic real/fake sets with exact masks, or self-blended faces"),
    "mask-gen": ("mask_gen.cli.masks", "build a training set (face crops + masks) from real/fake pairs"),
    "compare": ("mask_gen.cli.compare", "what was changed in a suspect, against the source it was made from"),
    "demo": ("mask_gen.cli.demo", "show the pipeline end to end on synthetic data"),
}
