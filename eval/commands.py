"""The subcommands eval declares to `forgeloc` (entry-point group forgeloc.commands)."""

COMMANDS = {
    "thresholds": (
        "eval.cli_thresholds",
        "search the frame rule's thresholds on a split; store them in the bundle",
    ),
    "eval": (
        "eval.cli_eval",
        "Dice/F1/AUC tables of models on datasets, robustness, attacks, cross-dataset (md, html, json)",
    ),
}
