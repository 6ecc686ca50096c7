"""Scheduled jobs that keep the executives' calendars clean, at a cost that grows with change."""
