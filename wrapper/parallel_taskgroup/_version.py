"""The package version: one place, read by the packaging metadata and the User-Agent."""

__version__ = "0.2.0"
