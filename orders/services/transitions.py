"""Steps shared by the order services: permission and state checks, running a
transition with its timeline event."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import events
from core.errors import DomainError
from core.fsm import Refusals, check_transition
from ..models import (
    Order,
)

ACTION_LABELS = {
    "mark_paid": gettext_lazy("Mark paid"),
    "approve": gettext_lazy("Approve"),
    "allocate": gettext_lazy("Allocate stock"),
    "deallocate": gettext_lazy("Undo allocation"),
    "start_picking": gettext_lazy("Start picking"),
    "pack": gettext_lazy("Mark packed"),
    "ship": gettext_lazy("Ship"),
    "confirm_delivery": gettext_lazy("Confirm delivery"),
    "complete": gettext_lazy("Complete"),
    "hold": gettext_lazy("Hold"),
    "release": gettext_lazy("Release hold"),
    "cancel": gettext_lazy("Cancel"),
    "cancel_allocated": gettext_lazy("Cancel and release stock"),
    # issue 5: B2B payment terms and credit review
    "approve_on_terms": gettext_lazy("Approve on payment terms"),
    "grant_credit": gettext_lazy("Approve credit"),
    "refuse_credit": gettext_lazy("Refuse credit (pay first)"),
    # issue 3: imports
    "ship_outside": gettext_lazy("Record as shipped outside our warehouses"),
}


# --- internal steps shared by the transition services ---------------------


ORDER_REFUSALS = Refusals(
    wrong_state=gettext_lazy("%(order)s: “%(action)s” is not possible while the order is %(status)s."),
    not_permitted=gettext_lazy("%(order)s: your role may not “%(action)s”."),
    unmet=gettext_lazy("%(order)s: “%(action)s” is not possible: %(reasons)s"),
)


def _check_transition_allowed(
    order: Order, name: str, actor, *, check_permission: bool = True, check_conditions: bool = False
) -> None:
    """State and role (and, with ``check_conditions``, the transition's conditions):
    may this actor run this transition on the order as it is now?"""
    check_transition(
        order, name, actor, refusals=ORDER_REFUSALS, params=_refusal_params(order, name),
        check_permission=check_permission, check_conditions=check_conditions,
    )


def _refusal_params(order: Order, name: str):
    return lambda: {"order": order.number, "action": ACTION_LABELS[name], "status": order.get_status_display()}


def _transition(
    order: Order,
    name: str,
    *,
    actor,
    at,
    method_kwargs=None,
    event_details=None,
    check_permission=True,
    update_fields=None,
    save=True,
) -> Order:
    """Run one transition with its checks and timeline event. ``save=False``:
    the order is not saved (a bulk import inserts new orders together)."""
    _check_transition_allowed(order, name, actor, check_permission=check_permission, check_conditions=True)
    source_status = order.status
    getattr(order, name)(**(method_kwargs or {}))
    # ``update_fields``: the fields the transition changes, when the caller knows them (a shorter UPDATE).
    # ``save=False``: the order is new and unsaved (a bulk import inserts it with the others).
    if save:
        order.save(update_fields=None if update_fields is None else ["status", *update_fields, "updated_at"])
    events.order_transitioned(
        order=order, actor=actor, at=at, transition=name, source_status=source_status, **(event_details or {})
    )
    return order


def _now(at):
    return at or timezone.now()


def _require_reason(reason: str, order: Order) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("%(order)s: a reason is required.") % {"order": order.number})
    return reason
