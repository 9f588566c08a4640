from django.utils.translation import gettext_lazy as _

# The module, not the class: Django picks the one AppConfig class defined in apps.py.
from jisheng.core import modules


class DemoConfig(modules.ModuleConfig):
    """The demo street: its population and accounts, and the ``demo`` command."""

    name = "jisheng.demo"
    label = "demo"
    verbose_name = _("Demo")
