from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Finance")

    def ready(self):
        from django.db.models import Field, ForeignObject

        from orders import finance_port

        from . import order_port
        from .lookups import AnyOf, RelatedAnyOf

        Field.register_lookup(AnyOf)
        ForeignObject.register_lookup(RelatedAnyOf)
        finance_port.provide(order_port)
