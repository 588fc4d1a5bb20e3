# Gunicorn settings for every way elearn is served (make run, production, make bench).
# The access log drops client addresses and user agents on concern paths.
logger_class = "elearn.gunicorn_logging.RedactingLogger"
accesslog = "-"
errorlog = "-"
