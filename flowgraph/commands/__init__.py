"""One module per ``flowgraph`` subcommand; see flowgraph/cli.py."""
