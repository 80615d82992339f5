"""B2B payment terms and credit review (issue 5).

An order of a B2B customer on payment terms may be approved before it is
paid. If it would take what the customer owes on account past its credit
limit, it is held for credit review instead: Finance or a Supervisor
(permission ``orders.decide_credit``) approves the credit, or refuses it and
the order waits for payment like any other. Finance runs no other order
transition.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from .. import events, locks
from ..models import ExceptionReason, Order
from ..selectors import order_credit_figures
from .exceptions import _flag_exception, _resolve_exception
from .transitions import _check_transition_allowed, _now, _require_reason, _transition


@transaction.atomic
def order_approve_on_terms(*, actor, order_id: int, at=None) -> Order:
    """Approve an unpaid order on the customer's payment terms, or hold it for credit review."""
    at = _now(at)
    order = locks.order_for_update(order_id)
    _check_transition_allowed(order, "approve_on_terms", actor, check_conditions=True)
    figures = order_credit_figures(order)
    limit = figures["credit_limit"]
    over_limit = limit is not None and figures["exposure"] + order.total_amount > limit
    source_status = order.status
    # Amounts stay out of the hold reason and the exception note: every role sees those.
    hold_reason = _("Credit review: this order would take the customer over its credit limit.") if over_limit else ""
    order.approve_on_terms(at=at, credit_hold_reason=hold_reason)
    order.save()
    if over_limit:
        events.order_transitioned(
            order=order,
            actor=actor,
            at=at,
            transition="credit_hold",
            source_status=source_status,
            amount=order.total_amount,
            **figures,
        )
        _flag_exception(order, actor=actor, at=at, reason=ExceptionReason.CREDIT_REVIEW, note=hold_reason)
    else:
        events.order_transitioned(
            order=order, actor=actor, at=at, transition="approve_on_terms", source_status=source_status
        )
    return order


def _close_credit_review(order: Order, *, actor, at, resolution: str) -> None:
    if order.exception_reason == ExceptionReason.CREDIT_REVIEW:
        _resolve_exception(order, actor=actor, at=at, resolution=resolution)


@transaction.atomic
def order_grant_credit(*, actor, order_id: int, note: str = "", at=None) -> Order:
    """Finance or a Supervisor lets the held order go ahead on account."""
    at = _now(at)
    order = locks.order_for_update(order_id)
    note = (note or "").strip()
    _check_transition_allowed(order, "grant_credit", actor)
    figures = order_credit_figures(order)
    _transition(
        order,
        "grant_credit",
        actor=actor,
        at=at,
        method_kwargs={"at": at},
        event_details={"amount": order.total_amount, "note": note, **figures},
    )
    _close_credit_review(order, actor=actor, at=at, resolution=note or _("Credit approved."))
    return order


@transaction.atomic
def order_refuse_credit(*, actor, order_id: int, reason: str, at=None) -> Order:
    """Finance or a Supervisor refuses credit: the order waits for payment like any other."""
    at = _now(at)
    order = locks.order_for_update(order_id)
    _check_transition_allowed(order, "refuse_credit", actor)
    reason = _require_reason(reason, order)
    _transition(
        order, "refuse_credit", actor=actor, at=at, method_kwargs={"reason": reason}, event_details={"reason": reason}
    )
    _close_credit_review(order, actor=actor, at=at, resolution=reason)
    return order
