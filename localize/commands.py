"""The subcommands the core package declares (each package declares its own; see localize.cli)."""

COMMANDS = {
    "inspect": ("localize.cli_inspect", "find manipulated regions in images and videos; write a report"),
}
