"""The library's log records on stderr, only with ``--verbose``."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Optional

__all__ = ["library_logs"]


@contextmanager
def library_logs(
    verbose: bool, stream: IO[str], handler: Optional[logging.Handler] = None
) -> Iterator[None]:
    """Show the library's INFO records while the block runs (through ``handler``, e.g. the
    progress line's, so they print above it), or nothing at all without ``verbose``."""
    logger = logging.getLogger("parallel_taskgroup")
    if not verbose:
        handler = logging.NullHandler()
    elif handler is None:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("taskgroup: %(message)s"))
    previous = logger.propagate, logger.level
    logger.addHandler(handler)
    logger.propagate = False
    if verbose:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate, logger.level = previous
