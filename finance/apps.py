from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Finance")

    def ready(self):
        from django.db.models import Field, ForeignObject

        from orders import money

        from . import order_money
        from .lookups import AnyOf, RelatedAnyOf

        Field.register_lookup(AnyOf)
        ForeignObject.register_lookup(RelatedAnyOf)
        money.provide(order_money)
