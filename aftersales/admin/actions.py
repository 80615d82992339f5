"""What staff can do to one ticket from its page: each action is a short
adapter from a form to one after-sales service call."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.admin_pages import ActionButton, ActionRegistry, ObjectAction, ReasonForm, action_button
from inventory.models import SKU, Warehouse
from core.fsm import transition_options

from .. import services
from ..models import FINAL_STATUSES, ReturnRequest


def _line_label(line) -> str:
    sku = line.order_line.sku.code if line.order_line.sku_id else line.order_line.platform_sku_code
    return f"{line.order_line.title} ({sku})"


class AwaitReturnForm(forms.Form):
    carrier = forms.CharField(label=_("Return carrier"), max_length=64, required=False)
    tracking_number = forms.CharField(label=_("Return tracking number"), max_length=64, required=False)


class ReceiveForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("Received in"), queryset=Warehouse.objects.filter(is_active=True))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].initial = ticket.order.warehouse_id
        for line in ticket.lines.select_related("order_line__sku"):
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=_("%(line)s — units in the parcel (of %(claimed)s claimed)")
                % {"line": _line_label(line), "claimed": line.quantity},
                min_value=0,
                max_value=line.quantity,
                initial=line.quantity,
            )

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "warehouse_id": data["warehouse"].pk,
            "note": data["note"],
            "quantities": {int(name[5:]): value for name, value in data.items() if name.startswith("line_")},
        }


class InspectForm(forms.Form):
    qc_reference = forms.CharField(
        label=_("QC reference"), max_length=64, help_text=_("The inspection sheet or photo set number.")
    )
    qc_note = forms.CharField(label=_("QC note"), max_length=255, required=False)

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(ticket.lines.select_related("order_line__sku"))
        for line in self.lines:
            label = _line_label(line)
            self.fields[f"sellable_{line.pk}"] = forms.IntegerField(
                label=_("%(line)s — sellable (of %(received)s received)") % {"line": label, "received": line.received_quantity},
                min_value=0,
                initial=line.received_quantity,
            )
            self.fields[f"damaged_{line.pk}"] = forms.IntegerField(
                label=_("%(line)s — damaged, to quarantine") % {"line": label}, min_value=0, initial=0
            )

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "qc_reference": data["qc_reference"],
            "qc_note": data["qc_note"],
            "results": {line.pk: (data[f"sellable_{line.pk}"], data[f"damaged_{line.pk}"]) for line in self.lines},
        }


class RefundForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        cap = services.ticket_refund_cap(ticket)
        self.fields["amount"].initial = cap
        self.fields["amount"].help_text = _(
            "At most %(cap)s %(currency)s: what was paid for these units (their share of discounts and tax included)."
        ) % {"cap": cap, "currency": ticket.order.currency}


class ExchangeForm(forms.Form):
    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        for line in ticket.lines.select_related("order_line__sku"):
            if line.units_back:
                self.fields[f"sku_{line.pk}"] = forms.ModelChoiceField(
                    label=_("%(line)s × %(units)s — send") % {"line": _line_label(line), "units": line.units_back},
                    queryset=SKU.objects.filter(is_active=True),
                    initial=line.order_line.sku_id,
                )

    def service_arguments(self) -> dict:
        return {
            "replacement_skus": {int(name[4:]): sku.pk for name, sku in self.cleaned_data.items() if name.startswith("sku_")}
        }


class CloseForm(forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"),
        max_length=255,
        required=False,
        help_text=_("Required when closing after inspection without a refund or a replacement."),
    )


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")
    )

    def service_arguments(self) -> dict:
        return {"owner_id": self.cleaned_data["owner"].pk}


def _call(service):
    return lambda ticket_id, actor, arguments: service(actor=actor, ticket_id=ticket_id, **arguments)


def _step(name, service, form_class=None, **options) -> ObjectAction:
    return ObjectAction(services.STEP_LABELS[name], _call(service), form_class, **options)


TICKET_ACTIONS = ActionRegistry(
    {
        # The ticket's transitions: a button when core.fsm.transition_options offers them.
        "approve": _step("approve", services.return_approve),
        "reject": _step("reject", services.return_reject, ReasonForm, danger=True),
        "cancel": _step("cancel", services.return_cancel, ReasonForm, danger=True),
        "await_return": _step("await_return", services.return_await, AwaitReturnForm),
        "receive": _step("receive", services.return_receive, ReceiveForm, form_object_kwarg="ticket"),
        "inspect": _step("inspect", services.return_inspect, InspectForm, form_object_kwarg="ticket"),
        "refund": _step("refund", services.return_refund, RefundForm, form_object_kwarg="ticket"),
        "exchange": _step("exchange", services.return_exchange, ExchangeForm, form_object_kwarg="ticket"),
        "reship": _step("reship", services.return_reship),
        "close": _step("close", services.return_close, CloseForm),
        "assign": ObjectAction(
            _("Hand to"),
            _call(services.return_assign),
            AssignForm,
            offered=lambda ticket, user: ticket.status not in FINAL_STATUSES and user.has_perm("aftersales.assign_return"),
        ),
    }
)


def ticket_buttons(ticket: ReturnRequest, user) -> list[ActionButton]:
    """Exactly the steps this user may take on the ticket now; a step their role
    may take but a condition stops is shown disabled, with why."""
    buttons = [
        action_button(option.name, TICKET_ACTIONS[option.name], option.blocked_by)
        for option in transition_options(ticket, user)  # works on any model with an FSM "status"
    ]
    return buttons + [action_button(name, TICKET_ACTIONS[name]) for name in TICKET_ACTIONS.offered_names(ticket, user)]
