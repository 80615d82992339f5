from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Finance")

    def ready(self):
        from django.db.models import Field, ForeignObject

        from orders import finance_port
        from orders.models import OrderEventType
        from orders.selectors import TIMELINE_VALUE_LABELS

        from . import order_port
        from .lookups import AnyOf, RelatedAnyOf
        from .models import RefundStatus

        Field.register_lookup(AnyOf)
        ForeignObject.register_lookup(RelatedAnyOf)
        finance_port.provide(order_port)
        # The order timeline shows a refund's status by its label.
        for event_type in (
            OrderEventType.REFUND_REQUESTED,
            OrderEventType.REFUND_APPROVED,
            OrderEventType.REFUND_PAID,
            OrderEventType.REFUND_FAILED,
        ):
            TIMELINE_VALUE_LABELS[(event_type, "status")] = dict(RefundStatus.choices)
