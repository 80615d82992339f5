"""What a clerk can do to one order from its page or to many from the list:
each action is a short adapter from a form to one service call.

ORDER_ACTIONS holds the order's own steps; the apps above orders register theirs
(finance: payments and invoices, aftersales: tickets) from their admin packages,
and in ORDER_PAGE_SECTIONS what they show on the order page (aftersales: its tickets)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from core.admin_pages import ActionButton, ActionRegistry, ObjectAction, ReasonForm, action_button
from core.fsm import transition_options
from orders import permissions, selectors, services
from orders.models import MERGEABLE_STATUSES, ExceptionReason, Order, OrderStatus


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=64)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64)


class ShipOutsideForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=64, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64, required=False)


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

    def service_arguments(self) -> dict:
        return {"quantities": {int(name[5:]): value for name, value in self.cleaned_data.items() if name.startswith("line_")}}


# Sections the apps above orders add under the order page's timeline, appended by their
# admin packages: (request, order) -> rendered HTML, or "" when there is nothing to show.
ORDER_PAGE_SECTIONS: list = []

def credit_decision_facts(order: Order, user) -> list[str]:
    """What a credit decision weighs, for a role that sees amounts: the order's total,
    what the customer owes on account besides it, and its credit limit."""
    if order.customer_id is None or not permissions.can_see_amounts(user):
        return []
    figures = selectors.order_credit_figures(order)
    amounts = {
        "total": order.total_amount,
        "owed": figures["exposure"],
        "after": figures["exposure"] + order.total_amount,
        "currency": order.currency,
    }
    if figures["credit_limit"] is None:
        return [
            _(
                "Order total %(total)s %(currency)s; the customer owes %(owed)s %(currency)s on account besides it; "
                "no credit limit."
            )
            % amounts
        ]
    return [
        _(
            "Order total %(total)s %(currency)s; the customer owes %(owed)s %(currency)s on account besides it, "
            "%(after)s %(currency)s with it; credit limit %(limit)s %(currency)s."
        )
        % {**amounts, "limit": figures["credit_limit"]}
    ]


def without_input(service):
    return lambda order_id, actor, arguments: service(actor=actor, order_id=order_id)


def with_input(service):
    return lambda order_id, actor, arguments: service(actor=actor, order_id=order_id, **arguments)


def _transition(name, service, form_class=None, **options) -> ObjectAction:
    run = with_input(service) if form_class is not None else without_input(service)
    return ObjectAction(services.ACTION_LABELS[name], run, form_class, **options)


def _merged(order: Order) -> bool:
    return order.merged_into_id is not None or order.merged_orders.exists()


def _may_merge(order: Order, user) -> bool:
    # Offered on the order's page; the merge and split services re-check everything.
    return user.has_perm("orders.merge_orders") and order.status in MERGEABLE_STATUSES


ORDER_ACTIONS = ActionRegistry(
    {
        # The transitions: a button when core.fsm.transition_options offers them.
        # (mark_paid asks for a payment: finance.admin registers it.)
        "approve": _transition("approve", services.order_approve),
        # Allocation that fails flags the order "out of stock" with the missing SKUs.
        "allocate": _transition("allocate", services.order_allocate_or_flag),
        "deallocate": _transition("deallocate", services.order_deallocate),
        "start_picking": _transition("start_picking", services.order_start_picking),
        "pack": _transition("pack", services.order_pack),
        "ship": _transition("ship", services.order_ship, ShipForm),
        "confirm_delivery": _transition("confirm_delivery", services.order_confirm_delivery),
        "complete": _transition("complete", services.order_complete),
        "hold": _transition("hold", services.order_hold, ReasonForm),
        "release": _transition("release", services.order_release),
        "cancel": _transition("cancel", services.order_cancel, ReasonForm, danger=True),
        "cancel_allocated": _transition("cancel_allocated", services.order_cancel, ReasonForm, danger=True),
        # issue 5: B2B payment terms and credit review
        "approve_on_terms": _transition("approve_on_terms", services.order_approve_on_terms),
        "grant_credit": _transition(
            "grant_credit", services.order_grant_credit, CreditNoteForm, intro=credit_decision_facts
        ),
        "refuse_credit": _transition(
            "refuse_credit", services.order_refuse_credit, ReasonForm, danger=True, intro=credit_decision_facts
        ),
        "ship_outside": _transition("ship_outside", services.order_ship_outside, ShipOutsideForm),
        # The other steps, offered as their test says.
        "resolve_exception": ObjectAction(
            _("Resolve exception"),
            with_input(services.order_resolve_exception),
            ResolveExceptionForm,
            offered=lambda order, user: bool(order.exception_reason) and user.has_perm("orders.resolve_exception"),
        ),
        "flag_exception": ObjectAction(
            _("Flag exception"),
            with_input(services.order_flag_exception),
            FlagExceptionForm,
            offered=lambda order, user: not order.exception_reason
            and order.status not in (OrderStatus.COMPLETED, OrderStatus.CANCELLED)
            and user.has_perm("orders.flag_exception"),
        ),
        # --- merge and split (issue 4) ---
        "unmerge": ObjectAction(
            _("Undo merge"),
            without_input(services.order_unmerge),
            offered=lambda order, user: _may_merge(order, user) and _merged(order),
        ),
        "split": ObjectAction(
            _("Split off units"),
            with_input(services.order_split),
            SplitForm,
            form_object_kwarg="order",
            offered=lambda order, user: _may_merge(order, user) and not _merged(order),
        ),
        "split_by_warehouse": ObjectAction(
            _("Split by warehouse"),
            without_input(services.order_split_by_warehouse),
            offered=lambda order, user: _may_merge(order, user)
            and order.exception_reason == ExceptionReason.OUT_OF_STOCK
            and order.status != OrderStatus.ALLOCATED
            and not _merged(order),
        ),
        "unsplit": ObjectAction(
            _("Put back into the original order"),
            without_input(services.order_unsplit),
            offered=lambda order, user: _may_merge(order, user) and order.split_from_id is not None and not _merged(order),
        ),
    }
)


def order_buttons(order: Order, user) -> list[ActionButton]:
    """Buttons for exactly what this user may do to this order now; a transition
    their role may run but a condition stops is shown disabled, with why."""
    buttons = [
        action_button(option.name, ORDER_ACTIONS[option.name], option.blocked_by)
        for option in transition_options(order, user)
    ]
    return buttons + [action_button(name, ORDER_ACTIONS[name]) for name in ORDER_ACTIONS.offered_names(order, user)]
