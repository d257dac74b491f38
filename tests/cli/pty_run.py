"""Run a program on a real pseudo-terminal of a given width and capture all it writes."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import termios
import time
from typing import Optional

__all__ = ["run_on_pty"]


def run_on_pty(
    argv: list[str],
    *,
    columns: int,
    env: Optional[dict[str, str]] = None,
    timeout: float = 20.0,
    expect_code: Optional[int] = 0,
) -> str:
    """Run ``argv`` with stdin/stdout/stderr on a new pty ``columns`` wide; all it wrote."""
    import pty

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in (env or os.environ).items() if k not in ("COLUMNS", "LINES")}
    env["PYTHONIOENCODING"] = "utf-8"
    try:
        child = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
        )
    finally:
        os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                child.kill()
                raise AssertionError("the child did not finish in time")
            ready, _, _ = select.select([master], [], [], min(left, 0.5))
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every copy of the slave side is closed
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        child.wait(timeout=5)
    output = b"".join(chunks).decode("utf-8")
    if expect_code is not None:
        assert child.returncode == expect_code, output
    return output
