"""``taskgroup-emulator`` refuses a bad port or database with one line naming it (exit 2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def start(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "taskgroup_emulator", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("port", ["70000", "-5"])
def test_a_port_out_of_range_is_refused_in_one_line(port: str) -> None:
    done = start("--port", port)
    assert done.returncode == 2
    assert (
        done.stderr
        == "taskgroup-emulator: --port must be between 0 and 65535 (0 picks a free one)\n"
    )


def test_a_database_path_that_is_a_folder_is_refused_naming_it(tmp_path: Path) -> None:
    done = start("--port", "0", "--db", str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"--db {tmp_path}: cannot use it as the emulator's database" in done.stderr


def test_a_file_that_is_not_a_database_is_refused_naming_it(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not a database\n" * 100)
    done = start("--port", "0", "--db", str(junk))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"--db {junk}: cannot use it as the emulator's database" in done.stderr
