"""What the contraceptive pages share beyond ``core.pages``: the form template and the year."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jisheng.contraceptives.forms import YearForm
from jisheng.core.errors import JishengError

FORM_TEMPLATE = "contraceptives/form.html"


def year_from(form: YearForm) -> int:
    """The year asked for (this year when none); a 400 when it is not a plausible year."""
    if form.is_bound and not form.is_valid():
        raise JishengError(_("The year is not valid."), code="invalid_input")
    return form.year_or_current()
