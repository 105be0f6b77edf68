"""The subcommands the core package declares (each package declares its own; see localize.cli)."""

COMMANDS = {
    "inspect": ("localize.cli_inspect", "find manipulated regions in images and videos; write a report"),
    "faces": ("localize.cli_faces", "the YuNet face model file: which one runs use, or fetch one"),
}
