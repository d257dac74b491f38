"""Sync-first client for Parallel's Task Group API."""
