from flask import Blueprint

bp = Blueprint("concerns", __name__, template_folder="templates")

from .assignment import handles_cases  # noqa: E402


@bp.app_context_processor
def concern_roles():
    """The menu's "Cases" link asks the one rule of who handles cases."""
    return {"handles_cases": handles_cases}


from . import cases, dialogue, groups, jobs, models, routes, statistics_routes  # noqa: E402,F401
