"""A local server that behaves like Parallel's Task Group API."""
