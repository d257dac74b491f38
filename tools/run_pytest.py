"""Run pytest for `make pytest`; treat "no tests collected" (exit 5) as a failure to notice.

Hypothesis uses the `ci` profile unless HYPOTHESIS_PROFILE says otherwise (`thorough` locally).
"""

from __future__ import annotations

import os
import subprocess
import sys

os.environ.setdefault("HYPOTHESIS_PROFILE", "ci")
code = subprocess.call([sys.executable, "-m", "pytest", *sys.argv[1:]])
if code == 5:
    print("run_pytest: pytest collected no tests", file=sys.stderr)
sys.exit(code)
