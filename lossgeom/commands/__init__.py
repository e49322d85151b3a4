"""Subcommands of the ``lossgeom`` command line, one module each (see :func:`lossgeom.cli.command_modules`)."""
