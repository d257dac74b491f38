"""Sync-first client for Parallel's Task Group API."""

from . import errors
from .client import Client
from .group import TaskGroup

__all__ = ["Client", "TaskGroup", "errors"]
