"""The site's public course (public.py) and the admin's pages for sites (manage.py)."""

from . import manage, public  # noqa: F401
