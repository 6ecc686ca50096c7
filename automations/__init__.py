"""The domain: everything the secretariat does, independent of HTTP."""
