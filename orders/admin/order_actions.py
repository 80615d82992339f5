"""What a clerk can do to one order from its page or to many from the list:
each action is a short adapter from a form to one service call."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from aftersales import services as aftersales_services
from aftersales.models import ReturnReason, TicketKind
from finance import services as finance_services
from orders.models import PaymentMethod
from core.fsm import transition_options
from orders import selectors, services
from orders.models import (
    MERGEABLE_STATUSES,
    ExceptionReason,
    Order,
    OrderStatus,
)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=64)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64)


class ShipOutsideForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=64, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64, required=False)


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices, initial=PaymentMethod.BANK_TRANSFER)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].initial = order.total_amount


class AccountPaymentForm(PaymentForm):
    """A B2B customer on payment terms paid (part of) what it owes."""

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        self.fields["amount"].initial = finance_services.outstanding_amount(order)


class CreditNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class FlagExceptionForm(forms.Form):
    reason = forms.ChoiceField(label=_("Exception"), choices=ExceptionReason.choices)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username"),
        required=False,
        help_text=_("Who will deal with it; they are told by e-mail."),
    )


class ResolveExceptionForm(forms.Form):
    resolution = forms.CharField(label=_("How it was resolved"), max_length=255)


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

    def quantities(self) -> dict[int, int]:
        return {int(name[5:]): value for name, value in self.cleaned_data.items() if name.startswith("line_")}


class SplitForm(forms.Form):
    """Units of each line to move to a new order."""

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        for line in order.lines.select_related("sku"):
            code = line.sku.code if line.sku_id else line.platform_sku_code
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=f"{code} {line.title} — {_('ordered')} {line.quantity}",
                min_value=0,
                max_value=line.quantity,
                initial=0,
            )

    def quantities(self) -> dict[int, int]:
        return {int(name[5:]): value for name, value in self.cleaned_data.items() if name.startswith("line_")}


@dataclass(frozen=True)
class OrderAction:
    label: str
    run: Callable  # (order_id, actor, cleaned_data, form) -> object
    form_class: type[forms.Form] | None = None
    needs_order: bool = False  # the form is built for this order's lines or amounts
    bulk: bool = False


def _no_input(service):
    return lambda order_id, actor, data, form: service(actor=actor, order_id=order_id)


def _with_input(service):
    return lambda order_id, actor, data, form: service(actor=actor, order_id=order_id, **data)


TRANSITION_ACTIONS = {
    "mark_paid": OrderAction(services.ACTION_LABELS["mark_paid"], _with_input(services.order_mark_paid), PaymentForm, True),
    "approve": OrderAction(services.ACTION_LABELS["approve"], _no_input(services.order_approve), bulk=True),
    # Allocation that fails flags the order "out of stock" with the missing SKUs.
    "allocate": OrderAction(services.ACTION_LABELS["allocate"], _no_input(services.order_allocate_or_flag), bulk=True),
    "deallocate": OrderAction(services.ACTION_LABELS["deallocate"], _no_input(services.order_deallocate)),
    "start_picking": OrderAction(services.ACTION_LABELS["start_picking"], _no_input(services.order_start_picking)),
    "pack": OrderAction(services.ACTION_LABELS["pack"], _no_input(services.order_pack)),
    "ship": OrderAction(services.ACTION_LABELS["ship"], _with_input(services.order_ship), ShipForm),
    "confirm_delivery": OrderAction(services.ACTION_LABELS["confirm_delivery"], _no_input(services.order_confirm_delivery)),
    "complete": OrderAction(services.ACTION_LABELS["complete"], _no_input(services.order_complete)),
    "hold": OrderAction(services.ACTION_LABELS["hold"], _with_input(services.order_hold), ReasonForm, bulk=True),
    "release": OrderAction(services.ACTION_LABELS["release"], _no_input(services.order_release)),
    "cancel": OrderAction(services.ACTION_LABELS["cancel"], _with_input(services.order_cancel), ReasonForm, bulk=True),
    "cancel_allocated": OrderAction(services.ACTION_LABELS["cancel_allocated"], _with_input(services.order_cancel), ReasonForm),
    # issue 5: B2B payment terms and credit review
    "approve_on_terms": OrderAction(services.ACTION_LABELS["approve_on_terms"], _no_input(services.order_approve_on_terms)),
    "grant_credit": OrderAction(services.ACTION_LABELS["grant_credit"], _with_input(services.order_grant_credit), CreditNoteForm),
    "refuse_credit": OrderAction(services.ACTION_LABELS["refuse_credit"], _with_input(services.order_refuse_credit), ReasonForm),
    "ship_outside": OrderAction(
        services.ACTION_LABELS["ship_outside"], _with_input(services.order_ship_outside), ShipOutsideForm
    ),
}

OTHER_ACTIONS = {
    "flag_exception": OrderAction(_("Flag exception"), _with_input(services.order_flag_exception), FlagExceptionForm),
    "resolve_exception": OrderAction(_("Resolve exception"), _with_input(services.order_resolve_exception), ResolveExceptionForm),
    "issue_invoice": OrderAction(_("Issue invoice"), _no_input(finance_services.invoice_issue)),
    "receive_payment": OrderAction(
        _("Record payment received"), _with_input(finance_services.payment_receive), AccountPaymentForm, True
    ),
    "open_ticket": OrderAction(
        _("Open after-sales ticket"),
        lambda order_id, actor, data, form: aftersales_services.return_open(
            actor=actor, order_id=order_id, kind=data["kind"], reason=data["reason"], note=data["note"], quantities=form.quantities()
        ),
        OpenTicketForm,
        True,
    ),
}

# --- merge and split (issue 4) ---
MERGE_ACTIONS = {
    "split": OrderAction(
        _("Split off units"),
        lambda order_id, actor, data, form: services.order_split(actor=actor, order_id=order_id, quantities=form.quantities()),
        SplitForm,
        True,
    ),
    "split_by_warehouse": OrderAction(_("Split by warehouse"), _no_input(services.order_split_by_warehouse)),
    "unmerge": OrderAction(_("Undo merge"), _no_input(services.order_unmerge)),
    "unsplit": OrderAction(_("Put back into the original order"), _no_input(services.order_unsplit)),
}
OTHER_ACTIONS.update(MERGE_ACTIONS)

ORDER_ACTIONS = {**TRANSITION_ACTIONS, **OTHER_ACTIONS}


def build_form(action: OrderAction, order: Order, data=None):
    if action.form_class is None:
        return None
    if action.needs_order:
        return action.form_class(data, order=order)
    return action.form_class(data)


@dataclass
class ActionButton:
    name: str
    label: str
    blocked_by: list[str]
    needs_input: bool


def order_buttons(order: Order, user) -> list[ActionButton]:
    """Buttons for exactly what this user may do to this order now; a transition
    their role may run but a condition stops is shown disabled, with why."""
    buttons = [
        ActionButton(option.name, str(TRANSITION_ACTIONS[option.name].label), option.blocked_by, TRANSITION_ACTIONS[option.name].form_class is not None)
        for option in transition_options(order, user)
    ]
    closed = order.status in (OrderStatus.COMPLETED, OrderStatus.CANCELLED)
    extra = []
    if order.exception_reason and user.has_perm("orders.resolve_exception"):
        extra.append("resolve_exception")
    if not order.exception_reason and not closed and user.has_perm("orders.flag_exception"):
        extra.append("flag_exception")
    if order.status in finance_services.INVOICEABLE_STATUSES and user.has_perm("finance.issue_invoice"):
        extra.append("issue_invoice")
    if order.status in aftersales_services.RETURNABLE_STATUSES and user.has_perm("aftersales.open_return"):
        extra.append("open_ticket")
    extra += merge_buttons(order, user)
    if (
        order.status in finance_services.ON_ACCOUNT_STATUSES
        and finance_services.outstanding_amount(order) > 0
        and user.has_perm("finance.receive_payment")
    ):
        extra.append("receive_payment")
    buttons += [ActionButton(name, str(OTHER_ACTIONS[name].label), [], OTHER_ACTIONS[name].form_class is not None) for name in extra]
    return buttons


def merge_buttons(order: Order, user) -> list[str]:
    """Merge/split steps offered on the order's page (the service re-checks everything)."""
    if not user.has_perm("orders.merge_orders") or order.status not in MERGEABLE_STATUSES:
        return []
    names = []
    merged = order.merged_into_id is not None or order.merged_orders.exists()
    if merged:
        names.append("unmerge")
    else:
        names.append("split")
        if order.exception_reason == ExceptionReason.OUT_OF_STOCK and order.status != OrderStatus.ALLOCATED:
            names.append("split_by_warehouse")
    if order.split_from_id is not None and not merged:
        names.append("unsplit")
    return names

