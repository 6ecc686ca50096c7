"""Long work as tasks on a queue (Procrastinate), run by workers in any process.

A click plans its work in the journal and defers a task naming the operation; a worker
(``secretariaat worker``, or the server's own in the embedded default) runs the flow that
finishes it. The journal makes running it twice harmless, so a task whose worker died is
simply run again by another worker. See docs/workers.md.
"""

from automations.tasks.queue import TaskQueue, WorkerSettings, queue_app
from automations.tasks.runtime import Runtime

__all__ = ["Runtime", "TaskQueue", "WorkerSettings", "queue_app"]
