"""One malloc arena for the process of a long job (glibc only).

glibc gives each thread that allocates its own arena, up to eight per core. A job's threads
(the stream reader, the fetch workers, the submitter, the main loop) pass objects between them,
and memory freed into one thread's arena is not reused by the others: over a 1,000,000-row job
the arenas' unused pages grew the peak RSS by about 5 MiB, which one shared arena does not (its
CPU was no higher: the GIL already keeps the threads from allocating at once). This is the
process's setting, so the CLI, which owns its process, asks for it; the library never does.
"""

from __future__ import annotations

import os
import sys

_M_ARENA_MAX = -8  # mallopt's parameter number, from glibc's malloc.h


def on_glibc() -> bool:
    """Whether this process runs on Linux's GNU C library (read from the C library itself, not
    by scanning the interpreter's binary as ``platform.libc_ver`` does)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (ValueError, OSError):
        return False


def use_one_malloc_arena() -> bool:
    """Ask glibc for one malloc arena, before the job starts its threads; whether it was set.
    Not on other C libraries, nor when ``MALLOC_ARENA_MAX`` is in the environment (the user's
    choice stands)."""
    if "MALLOC_ARENA_MAX" in os.environ or not on_glibc():
        return False
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_ARENA_MAX, 1))
