"""The base of every form: WTForms' own messages come from the app's catalog.

WTForms ships no Hindi catalog, so its built-in messages ("Not a valid choice." ...)
are listed here for extraction and translated with the rest of the interface.
"""

from flask_babel import get_translations, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

#: WTForms and Flask-WTF messages a person can meet, kept in the app's catalog.
BUILTIN_MESSAGES = (
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("This field is required."),
    _l("Not a valid date value."),
    _l("Not a valid integer value."),
    _l("File does not have an approved extension."),
)


def _plural_messages_for_extraction():  # never called: pybabel reads it
    ngettext(
        "'%(value)s' is not a valid choice for this field.", "'%(value)s' are not valid choices for this field.", 1
    )


def stripped(value):
    """A WTForms filter: text without surrounding spaces (other values as they are)."""
    return value.strip() if isinstance(value, str) else value


def printable_text(_form, field) -> None:
    """A WTForms validator: no control characters in a one-line name."""
    if any(ch < " " or ch == "\x7f" for ch in field.data or ""):
        raise ValidationError(_l("Use letters, digits and punctuation only."))


class _CatalogTranslations:
    """WTForms formats the messages itself (`% dict(value=...)`), so the catalog's raw
    translations are handed over: flask_babel's gettext/ngettext would format them
    first and fail on the placeholders they do not know."""

    def gettext(self, string):
        return get_translations().gettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ngettext(singular, plural, n)


class BaseForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _CatalogTranslations()
