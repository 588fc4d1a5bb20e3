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


def post_worker_init(worker):
    """The app as loaded (the course catalog with every rendered module) lives as long as
    the worker: move it out of the garbage collector's scans, which otherwise walk it
    on every full collection and stall requests (see `make bench`, p99)."""
    import gc
    gc.collect()
    gc.freeze()
