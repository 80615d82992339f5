"""After-sales on the order page: its step (open a ticket), registered in the
order admin's ORDER_ACTIONS, and the order's tickets, in ORDER_PAGE_SECTIONS:
orders' admin knows no after-sales."""

from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_pages import ObjectAction
from orders.admin.order_actions import ORDER_ACTIONS, ORDER_PAGE_SECTIONS, with_input

from .. import services
from ..models import ReturnReason, ReturnRequest, TicketKind


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


def _ticket_url(ticket: ReturnRequest) -> str:
    return reverse("admin:aftersales_returnrequest_change", args=[ticket.pk])


def _ticket_opened(order, ticket: ReturnRequest) -> str:
    return format_html(
        gettext("{order}: after-sales ticket {ticket} opened."),
        order=order,
        ticket=format_html('<a href="{}">{}</a>', _ticket_url(ticket), ticket.number),
    )


def _tickets_section(request, order) -> str:
    """The order's tickets, each a link to its page (the steps are taken there)."""
    if not request.user.has_perm("aftersales.view_returnrequest"):
        return ""
    tickets = list(order.return_requests.select_related("owner").order_by("id"))
    if not tickets:
        return ""
    return render_to_string("admin/aftersales/order_tickets.html", {"tickets": tickets}, request=request)


ORDER_PAGE_SECTIONS.append(_tickets_section)

ORDER_ACTIONS.register(
    "open_ticket",
    ObjectAction(
        _("Open after-sales ticket"),
        with_input(services.return_open),
        OpenTicketForm,
        form_object_kwarg="order",
        offered=lambda order, user: order.status in services.RETURNABLE_STATUSES and user.has_perm("aftersales.open_return"),
        done_message=_ticket_opened,
    ),
)
