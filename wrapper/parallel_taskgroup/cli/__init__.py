"""The ``taskgroup`` command line: one module per subcommand (``run``, ``status``, ``events``,
``results``) plus ``progress`` (the progress line) and ``errors`` (exit codes), built only on
``parallel_taskgroup``'s public names. Nothing in the library imports this package."""

from .main import main

__all__ = ["main"]
