"""Background work on Huey: SQLite storage by default, Redis when ELEARN_REDIS_URL is set,
consumed by any number of `elearn worker` processes on any number of machines."""
