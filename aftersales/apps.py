from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = _("After-sales")

    def ready(self):
        from orders.models import OrderEventType
        from orders.selectors import TIMELINE_VALUE_LABELS

        from .models import ReturnReason, TicketKind

        # The order timeline shows a ticket's kind and reason by their labels.
        TIMELINE_VALUE_LABELS[(OrderEventType.RETURN_OPENED, "kind")] = dict(TicketKind.choices)
        TIMELINE_VALUE_LABELS[(OrderEventType.RETURN_OPENED, "reason")] = dict(ReturnReason.choices)
