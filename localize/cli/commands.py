"""The subcommands the core package declares (each package declares its own; see localize.cli.main)."""

COMMANDS = {
    "inspect": ("localize.cli.inspect", "find manipulated regions in images and videos; write a report"),
    "faces": ("localize.cli.faces", "the YuNet face model file: which one runs use, or fetch one"),
}
