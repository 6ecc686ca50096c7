"""Calamity clear: an executive's agenda emptied in seconds, and everything queued to re-plan."""
