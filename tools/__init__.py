"""Tools for the build: the import contracts beyond what import-linter ships."""
