"""Gunicorn access log that never records who reported a concern.

For /concerns paths the client address, user agent, referrer, remote user and
query string are replaced by "-" before the line is formatted.
"""
from gunicorn.glogging import Logger

PRIVATE_PREFIXES = ("/concerns",)
_BLANKED = ("h", "a", "f", "u", "q")


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = environ.get("PATH_INFO", "")
        if path.startswith(PRIVATE_PREFIXES):
            for key in _BLANKED:
                atoms[key] = "-"
            atoms["r"] = f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '-')}"
            atoms["U"] = path
            for key in list(atoms):
                if key.startswith("{") and key.endswith("}i"):
                    atoms[key] = "-"  # request headers such as X-Forwarded-For
        return atoms
