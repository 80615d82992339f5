"""Finance's steps on the order page (record a payment, issue the invoice),
registered in the order admin's ORDER_ACTIONS: orders' admin knows no finance."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.admin_pages import ObjectAction
from orders import services as order_services
from orders.admin.order_actions import ORDER_ACTIONS, with_input, without_input

from .. import services
from ..models import PaymentMethod


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
        self.fields["amount"].initial = services.outstanding_amount(order)


def _may_receive_payment(order, user) -> bool:
    return (
        order.status in services.ON_ACCOUNT_STATUSES
        and user.has_perm("finance.receive_payment")
        and services.outstanding_amount(order) > 0
    )


# The order's "mark paid" transition asks for the payment it records.
ORDER_ACTIONS.register(
    "mark_paid",
    ObjectAction(
        order_services.ACTION_LABELS["mark_paid"],
        with_input(order_services.order_mark_paid),
        PaymentForm,
        form_object_kwarg="order",
    ),
)
ORDER_ACTIONS.register(
    "issue_invoice",
    ObjectAction(
        _("Issue invoice"),
        without_input(services.invoice_issue),
        offered=lambda order, user: order.status in services.INVOICEABLE_STATUSES and user.has_perm("finance.issue_invoice"),
    ),
)
ORDER_ACTIONS.register(
    "receive_payment",
    ObjectAction(
        _("Record payment received"),
        with_input(services.payment_receive),
        AccountPaymentForm,
        form_object_kwarg="order",
        offered=_may_receive_payment,
    ),
)
