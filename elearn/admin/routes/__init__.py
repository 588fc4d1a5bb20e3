"""Admin views, one module per page group; all on the admin blueprint."""

from . import activation, assign, exports, items, kiosks, reports, settings, sso, tasks, trends, users, xapi  # noqa: F401
