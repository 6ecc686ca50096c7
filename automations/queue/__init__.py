"""The team's work queue: every open item from every feature, one list."""
