# Gunicorn settings for every way elearn is served (make run, production, make bench).
# The access log records no client: no address, user agent, referrer or query string
# on any line. ELEARN_ACCESS_LOG_CLIENTS=1 logs them, except on concern pages and on
# requests whose referrer is one (see elearn/gunicorn_logging.py and README: Production).
from elearn.gunicorn_logging import PRIVATE_FORMAT, clients_logged

if clients_logged():
    logger_class = "elearn.gunicorn_logging.RedactingLogger"
else:
    access_log_format = PRIVATE_FORMAT
accesslog = "-"
errorlog = "-"

# Sync workers, one request at a time per process: pages are rendered from memory with one
# or two short queries, so a worker is never idle waiting on the database for long, and
# the app shares nothing between threads. A slow client holds a worker for as long as it
# reads, which is why production puts a buffering reverse proxy in front (README: Production).
worker_class = "sync"
# A worker silent for this long is stuck and is killed and replaced. The longest request is
# an export of the whole completion report: 200,000 rows stream as CSV in about 3 s (`make
# bench`), but the XLSX file is built before it is sent, about 30 s for as many rows on a
# 2-core machine, the whole of gunicorn's default of 30 s. 120 s leaves room for that.
timeout = 120
# On a restart or SIGTERM, a worker finishes the requests it has for this long, then is
# killed: a quiz submission or an import in flight completes instead of being cut off.
graceful_timeout = 30


def post_worker_init(worker):
    """The app as loaded (the course catalog with every rendered module) lives as long as
    the worker: move it out of the garbage collector's scans, which otherwise walk it
    on every full collection and stall requests (see `make bench`, p99)."""
    import gc
    gc.collect()
    gc.freeze()
