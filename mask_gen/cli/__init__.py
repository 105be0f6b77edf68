"""mask_gen's subcommands of `forgeloc` (synth, mask-gen, compare, demo) and the table that declares them
(`commands.COMMANDS`); each module parses its arguments and calls the library."""
