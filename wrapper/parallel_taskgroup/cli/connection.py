"""The client every subcommand talks through, from the connection options and environment."""

from __future__ import annotations

import argparse
import os
from typing import Any, Optional

import parallel_taskgroup as ptg

from .errors import UsageError

__all__ = ["connect", "require_api_key"]


def require_api_key() -> None:
    """Refuse to start without ``PARALLEL_API_KEY`` (before any file is touched)."""
    if not os.environ.get("PARALLEL_API_KEY", "").strip():
        raise UsageError("no API key: set the PARALLEL_API_KEY environment variable")


def connect(
    args: argparse.Namespace,
    *,
    give_up_after: Optional[float] = None,
    submit_timeout: Optional[float] = None,
) -> ptg.Client:
    """A client for ``--base-url``/``--api-version`` (or the environment)."""
    require_api_key()
    extra: dict[str, Any] = {} if submit_timeout is None else {"submit_timeout": submit_timeout}
    return ptg.Client(
        base_url=args.base_url,
        api_version=args.api_version,
        allow_insecure_http=args.allow_insecure_http,
        give_up_after=give_up_after,
        **extra,
    )
