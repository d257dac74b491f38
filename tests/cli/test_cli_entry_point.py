"""The `taskgroup` entry point: a Ctrl-C that lands while the command loads ends it as any
interrupt does, quietly, with exit code 130."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_a_ctrl_c_while_the_command_loads_exits_130_quietly() -> None:
    code = textwrap.dedent(
        """
        import sys

        class CtrlC:  # Ctrl-C pressed while a module of the command loads
            def find_spec(self, name, path, target=None):
                if name == "parallel_taskgroup.cli.progress":
                    raise KeyboardInterrupt
                return None

        sys.meta_path.insert(0, CtrlC())
        from parallel_taskgroup.cli import main

        sys.exit(main(["--help"]))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "taskgroup: interrupted\n")
