"""The handler group form (groups.py). The choices come from the view: catalog regions,
concern categories and the people who handle cases; anything else is refused."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..admin.forms import MultiCheckboxField
from ..forms import BaseForm, stripped


class HandlerGroupForm(BaseForm):
    name = StringField(
        _l("Name"),
        filters=[stripped],
        validators=[
            DataRequired(message=_l("Enter the group's name.")),
            Length(max=120, message=_l("Use at most %(max)d characters.")),
        ],
    )
    regions = MultiCheckboxField(_l("Regions (none ticked: every region)"), choices=[])
    categories = MultiCheckboxField(_l("Categories (none ticked: every category)"), choices=[])
    is_default = BooleanField(_l("Cases no other group takes go here"))
    # user ids as text: a value that is no number is "not a valid choice", with the
    # catalog's message (an int coerce would answer with an untranslated one)
    members = MultiCheckboxField(_l("Members"), choices=[])

    def __init__(self, *args, regions=(), categories=(), handlers=(), **kwargs):
        """regions, categories: (id, name) pairs; handlers: (user id as text, label) pairs."""
        super().__init__(*args, **kwargs)
        self.regions.choices = list(regions)
        self.categories.choices = list(categories)
        self.members.choices = list(handlers)

    def validate_is_default(self, field):
        # assignment.route_case never matches the default group's regions or categories
        if field.data and (self.regions.data or self.categories.data):
            raise ValidationError(
                _l(
                    "The default group takes every case no other group takes: "
                    "leave its regions and categories unticked."
                )
            )

    def member_ids(self) -> list[int]:
        """The ticked members (valid after validate(): each is one of the choices)."""
        return [int(value) for value in self.members.data or ()]
