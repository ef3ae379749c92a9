"""The ``teman-ikd`` subcommands; each module is the shell for one of them."""
