"""A list's rows drawn by Jinja2.

Django's template language resolves each ``{{ value }}`` through a chain of lookups and
escapes it in Python: 50 rows of eight cells took 2.5-3 ms of CPU, a third of a list request
and more than its queries. Jinja2 compiles a template to Python once and draws the same rows
in about a tenth of that. So the rows of a long list (its ``<tbody>``) are a Jinja2 template
of their own, ``<app>/jinja2/<app>/<list>_rows.html``, drawn into the Django page by
``{% rows %}`` (``core/templatetags/rows.py``); everything else stays a Django template.

The environment keeps Django's manners: autoescaping, Django's translations written
``{{ _("…") }}`` (as Django templates also write them, so ``makemessages`` finds them), a
count's ``{% blocktranslate count n=… %}`` written
``{{ ngettext("%(n)s alert", "%(n)s alerts", n) % {"n": n} }}`` (Django's ``ngettext`` and
the same msgids; ``makemessages`` does not look for these: keep them in the catalog, which
``tests/core/test_rows.py`` checks), ``id_link`` for links by id (``core.reversing``:
``{% set link = id_link("app:name") %}`` before the loop, ``{{ link(row.pk) }}`` in it) and
``|ymd`` for a date as ``|date:"Y-m-d"`` writes it. An app's own Django filter that its rows
need (a state's badge) is given to Jinja2 by its ``AppConfig.rows_filters``
(``core.modules``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import jinja2
from django.core.exceptions import ImproperlyConfigured
from django.template import engines
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from jisheng.core.modules import rows_filters
from jisheng.core.reversing import id_link

ENGINE = "jinja2"


def environment(**options: Any) -> jinja2.Environment:
    """The Jinja2 environment of ``settings.TEMPLATES`` (``OPTIONS["environment"]``)."""
    options.pop("autoescape", None)  # always on, whatever the settings say
    env = jinja2.Environment(autoescape=True, **options)
    # Translations are plain str, escaped on output as ``{% translate %}`` escapes them
    # (``{% blocktranslate %}`` does not escape its text; none of the catalog holds markup).
    env.globals.update({"_": gettext, "ngettext": ngettext, "id_link": id_link})
    env.filters["ymd"] = ymd
    for name, function in rows_filters().items():
        if name in env.filters:  # one of Jinja's own, or ymd: a row would silently change
            msg = f"An app's rows filter {name!r} has the name of a filter Jinja2 rows have"
            raise ImproperlyConfigured(msg)
        env.filters[name] = function
    return env


def ymd(value: date | datetime | None) -> str:
    """``|date:"Y-m-d"``: a datetime in local time, nothing for no date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value.isoformat()


def draw(template_name: str, context: dict[str, Any]) -> SafeString:
    """The rows template ``template_name`` drawn with ``context`` (its output is escaped)."""
    return SafeString(engines[ENGINE].get_template(template_name).render(context))
