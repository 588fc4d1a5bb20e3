"""`elearn worker`: a Huey consumer. Run as many as you like, on as many machines."""

import click
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Threads in this consumer.")
@with_appcontext
def worker_command(workers):
    """Consume background tasks (SQLite queue, or Redis when ELEARN_REDIS_URL is set)."""
    from flask import current_app
    from huey.consumer import Consumer

    from .queue import huey

    # the app this command created (every task is registered); the proxy's documented
    # _get_current_object(), which Flask's type hints (current_app: Flask) do not show
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    @huey.on_startup()
    def enter_app():
        """Each consumer thread works inside the app (tasks use its database and catalog)."""
        app.app_context().push()

    Consumer(huey, workers=workers, worker_type="thread").run()
