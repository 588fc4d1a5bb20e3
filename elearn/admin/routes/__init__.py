"""Admin views, one module per page group; all on the admin blueprint."""

from . import activation, assign, kiosks, reports, settings, sso, tasks, users, xapi  # noqa: F401
