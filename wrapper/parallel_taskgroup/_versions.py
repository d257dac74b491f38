"""API version handling: which URL prefix group paths use."""

from __future__ import annotations

from .errors import ConfigurationError

API_VERSIONS = ("v1", "v1beta")
_GROUPS = "/v1/tasks/groups"


def check_version(version: str) -> str:
    """Return ``version`` normalised, or raise ConfigurationError naming the choices."""
    v = version.strip().lower()
    if v not in API_VERSIONS:
        raise ConfigurationError(
            f"unknown API version {version!r}: use one of {', '.join(API_VERSIONS)} "
            "(argument api_version or env PARALLEL_API_VERSION)"
        )
    return v


def map_path(path: str, version: str) -> str:
    """Map a ``/v1/...`` path to the one to send for ``version``.

    Only task-group paths move under ``v1beta``; run paths (``/v1/tasks/runs``) stay ``/v1``.
    """
    if version == "v1beta" and (path == _GROUPS or path.startswith(_GROUPS + "/")):
        return "/v1beta" + path[3:]
    return path
