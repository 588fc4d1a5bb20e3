from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..admin.forms import MultiCheckboxField
from ..forms import BaseForm
from ..i18n import LOCALES

_MAX = _l("Use at most %(max)d characters.")


class SiteForm(BaseForm):
    supplier_name = StringField(
        _l("Supplier"),
        validators=[DataRequired(message=_l("Enter the supplier's name.")), Length(max=200, message=_MAX)],
    )
    site_name = StringField(
        _l("Site"),
        description=_l("The factory, farm or workplace, as its workers know it."),
        validators=[DataRequired(message=_l("Enter the site's name.")), Length(max=200, message=_MAX)],
    )
    country = SelectField(
        _l("Country of the site"),
        description=_l("It picks the regional module and the helplines the workers see."),
        choices=[],
        validators=[DataRequired(message=_l("Choose the country of the site."))],
    )
    first_language = SelectField(
        _l("Main language of the workers"),
        description=_l("The course opens in it."),
        choices=[],
        validators=[DataRequired(message=_l("Choose the main language."))],
    )
    other_languages = MultiCheckboxField(_l("Other languages the workers can choose"), choices=[])

    def __init__(self, *args, countries=(), **kwargs):
        """countries: the (code, name) pairs the admin may choose (those of their regions)."""
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Choose…"))] + list(countries)
        languages = [(code, name) for code, (name, _tag, _dir) in LOCALES.items()]
        self.first_language.choices = [("", _l("Choose…"))] + languages
        self.other_languages.choices = languages

    def languages(self) -> list[str]:
        """The site's languages, the main one first."""
        first = self.first_language.data
        return [first] + [code for code in LOCALES if code in (self.other_languages.data or ()) and code != first]


class OpenStateForm(BaseForm):
    open = SelectField(choices=["yes", "no"], validators=[DataRequired()])


class CompletionForm(BaseForm):
    """The name a worker types for their completion page: shown on it, never stored."""

    name = StringField(
        _l("Your name, as it should appear on the page (optional)"),
        description=_l("We do not keep it: it is only printed on this page."),
        validators=[Optional(), Length(max=100, message=_MAX)],
    )
