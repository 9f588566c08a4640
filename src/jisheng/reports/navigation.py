from django.utils.translation import gettext_lazy as _

from jisheng.core.navigation import NavLink, NavSection

SECTION = NavSection(_("Overview"), (NavLink(_("Home"), "reports:home", None),))
