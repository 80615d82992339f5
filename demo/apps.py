from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo seller's data and files (``seed_demo``, ``demo_order_files``).

    The top of the import direction: it drives every app's services and no app imports it.
    """

    name = "demo"
    verbose_name = _("Demo")
