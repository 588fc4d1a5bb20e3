"""`elearn worker`: a Huey consumer. Run as many as you like, on as many machines."""
import click
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Threads in this consumer.")
@with_appcontext
def worker_command(workers):
    """Consume background tasks (SQLite queue, or Redis when ELEARN_REDIS_URL is set)."""
    from huey.consumer import Consumer

    from . import jobs  # noqa: F401 - registers the tasks
    from .queue import huey
    Consumer(huey, workers=workers, worker_type="thread").run()
