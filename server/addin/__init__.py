"""The Outlook add-in's configuration: the manifest rendered for one deployment, and its icons."""

from server.addin.manifest import ManifestError, render_manifest

__all__ = ["ManifestError", "render_manifest"]
