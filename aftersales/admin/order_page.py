"""After-sales' step on the order page (open a ticket), registered in the
order admin's ORDER_ACTIONS: orders' admin knows no after-sales."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.admin_pages import ObjectAction
from orders.admin.order_actions import ORDER_ACTIONS, with_input

from .. import services
from ..models import ReturnReason, TicketKind


class OpenTicketForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TicketKind.choices)
    reason = forms.ChoiceField(label=_("Reason"), choices=ReturnReason.choices)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        for line in order.lines.all():
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=f"{line.title} ({line.platform_sku_code or line.sku_id}) — {_('ordered')} {line.quantity}",
                min_value=0,
                max_value=line.quantity,
                initial=0,
            )

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "reason": data["reason"],
            "note": data["note"],
            "quantities": {int(name[5:]): value for name, value in data.items() if name.startswith("line_")},
        }


ORDER_ACTIONS.register(
    "open_ticket",
    ObjectAction(
        _("Open after-sales ticket"),
        with_input(services.return_open),
        OpenTicketForm,
        form_object_kwarg="order",
        offered=lambda order, user: order.status in services.RETURNABLE_STATUSES and user.has_perm("aftersales.open_return"),
    ),
)
