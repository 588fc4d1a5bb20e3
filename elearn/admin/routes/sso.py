"""Admin: which roles members of the identity provider's groups get when they sign in
through single sign-on (auth/oidc.py applies it). It reaches every person who signs in,
so only an unscoped admin sees it (scope.require_unscoped); the roles offered are those
the grant rule lets them give (auth/grants.py), and a privileged role needs a tick.

The form is here rather than in admin/forms.py: this page is its only user.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ...auth.grants import PRIVILEGED_ROLES, grantable_roles
from ...auth.models import SsoGroupRole
from ...auth.roles import role_required
from ...extensions import db
from ...forms import BaseForm, printable_text, stripped
from ...models import ROLES
from .. import bp
from ..audit import record
from ..forms import role_labels
from ..scope import actor_scope, require_unscoped


class GroupRoleForm(BaseForm):
    group_name = StringField(
        _l("Group (exactly as the provider sends it in the groups claim)"),
        validators=[
            DataRequired(message=_l("Enter the group.")),
            Length(max=255, message=_l("Use at most %(max)d characters.")),
            printable_text,
        ],
        filters=[stripped],
    )
    role = SelectField(_l("Role its members get"), choices=[])
    confirm_privileged = BooleanField(_l("I understand: every member of this group can see other people's data."))

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = role_labels()
        self.role.choices = [(role, labels[role]) for role in roles]

    def validate_confirm_privileged(self, field) -> None:
        if self.role.data in PRIVILEGED_ROLES and not field.data:
            raise ValidationError(_l("Tick this box to give an administrator or case handler role to a whole group."))


def _page(form: GroupRoleForm, status: int = 200):
    mappings = db.session.scalars(select(SsoGroupRole).order_by(SsoGroupRole.group_name, SsoGroupRole.role)).all()
    config = current_app.config
    return (
        render_template(
            "admin/sso.html",
            form=form,
            mappings=mappings,
            labels=role_labels(),
            sso_on=bool(config["ELEARN_OIDC_ISSUER"] and config["ELEARN_OIDC_CLIENT_ID"]),
            groups_claim=config["ELEARN_OIDC_GROUPS_CLAIM"],
        ),
        status,
    )


@bp.route("/sso", methods=["GET", "POST"])
@role_required("admin")
def sso_roles():
    require_unscoped()
    form = GroupRoleForm(roles=grantable_roles(actor_scope(), ROLES))
    if not form.validate_on_submit():
        return _page(form, 400 if form.errors else 200)
    group, role = form.group_name.data, form.role.data
    exists = db.session.scalar(
        select(SsoGroupRole.id).where(SsoGroupRole.group_name == group, SsoGroupRole.role == role)
    )
    if exists is not None:
        form.group_name.errors = [_("This group gives this role already.")]
        return _page(form, 400)
    db.session.add(SsoGroupRole(group_name=group, role=role, created_by=current_user.id))
    record("sso_group_role.add", group, None, {"group": group, "role": role})
    db.session.commit()
    flash(_("Members of %(group)s get this role when they next sign in.", group=group), "info")
    return redirect(url_for(".sso_roles"))


@bp.post("/sso/<int:mapping_id>/delete")
@role_required("admin")
def delete_sso_role(mapping_id: int):
    require_unscoped()
    mapping = db.session.get(SsoGroupRole, mapping_id)
    if mapping is None:
        abort(404)
    record("sso_group_role.remove", mapping.group_name, {"group": mapping.group_name, "role": mapping.role}, None)
    db.session.delete(mapping)
    db.session.commit()
    flash(
        _(
            "%(group)s no longer gives this role. People who hold it keep it until an administrator changes them.",
            group=mapping.group_name,
        ),
        "info",
    )
    return redirect(url_for(".sso_roles"))
