# Gunicorn settings for every way elearn is served (make run, production, make bench).
# The access log drops client addresses and user agents on concern paths.
logger_class = "elearn.gunicorn_logging.RedactingLogger"
accesslog = "-"
errorlog = "-"


def post_worker_init(worker):
    """The app as loaded (the course catalog with every rendered module) lives as long as
    the worker: move it out of the garbage collector's scans, which otherwise walk it
    on every full collection and stall requests (see `make bench`, p99)."""
    import gc
    gc.collect()
    gc.freeze()
