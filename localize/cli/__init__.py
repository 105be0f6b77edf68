"""The `forgeloc` command line: the entry point that gathers every package's subcommands, and the core
package's own (`inspect` with its inputs and resumption, `faces`)."""
