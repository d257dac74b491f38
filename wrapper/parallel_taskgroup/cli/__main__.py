"""``python -m parallel_taskgroup.cli``: the ``taskgroup`` command."""

import sys

from .main import main

sys.exit(main())
