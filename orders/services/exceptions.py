"""Order exceptions: flagged with a reason from the fixed list, owned, resolved."""

from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from .. import events, locks
from core.tasks import enqueue_on_commit
from core.errors import DomainError, require_permission
from ..models import (
    ExceptionNotification,
    ExceptionReason,
    Order,
    OrderEvent,
    OrderStatus,
)
from .transitions import _now, _require_reason


def _flag_exception(order: Order, *, actor, at, reason: str, note: str = "", owner=None, save=True) -> OrderEvent:
    if order.exception_reason:
        raise DomainError(
            _("%(order)s already has an open exception (%(reason)s); resolve it first.")
            % {"order": order.number, "reason": order.get_exception_reason_display()}
        )
    if reason not in ExceptionReason.values:
        raise DomainError(_("Unknown exception reason: %(reason)s") % {"reason": reason})
    order.exception_reason, order.exception_note, order.exception_owner = reason, note.strip(), owner
    order.exception_raised_at = at
    if save:  # save=False: a bulk import inserts the new order afterwards
        order.save(
            update_fields=["exception_reason", "exception_note", "exception_owner", "exception_raised_at", "updated_at"]
        )
    event = events.exception_flagged(order=order, actor=actor, at=at)
    if owner is not None and owner != actor:
        enqueue_on_commit("orders.tasks.notify_exception_owner", event.pk)
    return event


def _resolve_exception(order: Order, *, actor, at, resolution: str) -> None:
    reason = order.exception_reason
    order.exception_reason, order.exception_note, order.exception_owner, order.exception_raised_at = "", "", None, None
    order.save(
        update_fields=["exception_reason", "exception_note", "exception_owner", "exception_raised_at", "updated_at"]
    )
    events.exception_resolved(order=order, actor=actor, at=at, reason=reason, resolution=resolution)


@transaction.atomic
def order_flag_exception(*, actor, order_id: int, reason: str, note: str = "", owner=None, at=None) -> Order:
    order = locks.order_for_update(order_id)
    require_permission(actor, "orders.flag_exception", _("Your role may not flag exceptions."))
    if order.status in (OrderStatus.COMPLETED, OrderStatus.CANCELLED):
        raise DomainError(_("%(order)s is closed; it cannot get an exception.") % {"order": order.number})
    _flag_exception(order, actor=actor, at=_now(at), reason=reason, note=note, owner=owner)
    return order


@transaction.atomic
def order_resolve_exception(*, actor, order_id: int, resolution: str, at=None) -> Order:
    order = locks.order_for_update(order_id)
    require_permission(actor, "orders.resolve_exception", _("Your role may not resolve exceptions."))
    if not order.exception_reason:
        raise DomainError(_("%(order)s has no open exception.") % {"order": order.number})
    _resolve_exception(order, actor=actor, at=_now(at), resolution=_require_reason(resolution, order))
    return order


@transaction.atomic
def exception_owner_notify(*, event_id: int) -> bool:
    """Tell an exception's owner by e-mail, once, however often the task runs."""
    event = OrderEvent.objects.select_related("order__exception_owner").get(pk=event_id)
    owner = event.order.exception_owner
    if owner is None or owner.get_username() != event.parameters.get("owner"):
        return False  # resolved or handed on since: the new owner was told by their own event
    __, created = ExceptionNotification.objects.get_or_create(event=event, defaults={"recipient": owner})
    if created and owner.email:
        order = event.order
        send_mail(
            _("Order %(order)s needs you: %(reason)s")
            % {"order": order.number, "reason": order.get_exception_reason_display()},
            _("Order %(order)s has the exception “%(reason)s” and you own it.\n\n%(note)s")
            % {"order": order.number, "reason": order.get_exception_reason_display(), "note": order.exception_note},
            None,
            [owner.email],
        )
    return created
