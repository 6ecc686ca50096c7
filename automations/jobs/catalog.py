"""Every job, registered: import ``JOBS`` from here, not from ``registry``."""

from automations.jobs import calendar_jobs  # noqa: F401 - its jobs register themselves
from automations.jobs.registry import JOBS

__all__ = ["JOBS"]
