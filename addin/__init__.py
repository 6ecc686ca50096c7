"""The Outlook add-in's files: ``manifest.xml`` (a template) and ``icons/``.

A package with no code, so that a wheel carries these files as package data and the backend
reads them from where the package is installed (``importlib.resources.files("addin")``), not
from a source tree. ``server.addin.manifest`` renders the template; ``server.app`` serves the
icons.
"""
