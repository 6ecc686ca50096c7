"""The ``secretariaat`` command line."""
