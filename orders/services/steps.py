"""Steps shared by the order services: permission and state checks, running a
transition with its timeline event."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from .. import events
from core.errors import DomainError, NotPermitted
from ..models import (
    Order,
)
from ..selectors import unmet_conditions

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


def _check_transition_allowed(order: Order, name: str, actor, *, check_permission: bool = True) -> None:
    """State and role: may this actor run this transition on the order as it is now?"""
    method = getattr(order, name)
    # The message's labels are translated only when it is raised: on the hot
    # path (allocation) translating them each time cost more than a query.
    def params():
        return {"order": order.number, "action": ACTION_LABELS[name], "status": order.get_status_display()}

    if not can_proceed(method, check_conditions=False):
        raise DomainError(_("%(order)s: “%(action)s” is not possible while the order is %(status)s.") % params())
    if (
        check_permission
        and actor is not None
        and not method._django_fsm.has_transition_perm(order, order.status, actor)
    ):
        raise NotPermitted(_("%(order)s: your role may not “%(action)s”.") % params())


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
    _check_transition_allowed(order, name, actor, check_permission=check_permission)
    failed = unmet_conditions(order, name)
    if failed:
        raise DomainError(
            _("%(order)s: “%(action)s” is not possible: %(reasons)s")
            % {"order": order.number, "action": ACTION_LABELS[name], "reasons": " ".join(failed)}
        )
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
