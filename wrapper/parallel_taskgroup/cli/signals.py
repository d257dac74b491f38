"""Signal handlers for the length of a block (only the main thread can set them)."""

from __future__ import annotations

import signal
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Callable, Union

__all__ = ["handling"]

Handler = Union[Callable[[int, Any], Any], int, signal.Handlers]


@contextmanager
def handling(signals: Sequence[signal.Signals], handler: Handler) -> Iterator[None]:
    """``handler`` answers ``signals`` inside the block; the previous handlers after it. Off the
    main thread, where no handler can be set, the block runs as it is."""
    try:
        previous = [signal.signal(s, handler) for s in signals]
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        for s, old in zip(signals, previous):
            if old is not None:  # None: a handler not set from Python, which cannot be restored
                signal.signal(s, old)
