"""Managers see their team (README: Managers): the people the HR feed names them manager
of, directly or through others, their training status, and reminders."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState
from flask_login import user_logged_out

bp = Blueprint("team", __name__, template_folder="templates")


@bp.record_once
def _connect(state: BlueprintSetupState) -> None:
    from .membership import forget

    user_logged_out.connect(forget, state.app)


@bp.app_context_processor
def _team_link():
    from .membership import manages_team

    return {"manages_team": manages_team}


from . import routes  # noqa: E402,F401
