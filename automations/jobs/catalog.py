"""Every job, registered: import ``JOBS`` from here, not from ``registry``."""

from automations.jobs import calendar_jobs, mail_jobs, overview  # noqa: F401 - they register their jobs
from automations.jobs.registry import JOBS

__all__ = ["JOBS"]
