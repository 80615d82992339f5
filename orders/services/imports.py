"""Orders as the platforms report them: new ones recorded in bulk, known ones
brought up to date one by one.

The importers (orders.importers) turn a platform file into ``PlatformOrder``
records; these services write them. Both paths go through the order's
transitions, their permissions and conditions, and the timeline event
functions; every event names the import batch (``events.tagged``).

- New orders (``orders_import_new``): one transaction per chunk. Each order
  is built in memory and walked through the transitions the platform's state
  implies (paid, shipped outside our warehouses, delivered, completed,
  cancelled), then orders, lines, events and payments are inserted together.
  An order and its lines land together or not at all.
- Known orders (``order_import_update``): few per re-import, each through the
  per-order services (order_mark_paid, order_ship, order_cancel, ...), each in
  its own transaction.

Stock: an order first seen as shipped is recorded as shipped outside our
warehouses (``ship_outside``): no stock is reserved or consumed for it
retroactively. A known order that our warehouse holds stock for (allocated,
picking, packed) and that the platform now reports shipped did leave from our
warehouse: it goes through pick → pack → ship and its reservation is consumed.

Unknown SKUs: a line whose platform code maps to none of our SKUs (no alias
for the channel, no SKU with that code) stays unmapped; an open order gets
the exception "unknown SKU" and, once paid, is put on hold. Creating the alias
(``orders.services.sku_mapping.sku_alias_create``) maps the waiting lines and
releases the order.
"""

from contextlib import nullcontext
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from inventory.models import SKU, SKUAlias

from .. import events, locks
from core.bulk_insert import Prototype, insert_rows
from core.errors import DomainError, require_permission
from core.limits import field_problem, model_problems
from ..finance_port import finance
from ..importers.records import PlatformLine, PlatformOrder, PlatformState
from ..models import SHIP_TO_FIELDS, ZERO, Channel, ExceptionReason, Order, OrderLine, OrderStatus, PaymentMethod
from ..selectors import orders_by_platform_id
from .creation import _next_order_numbers
from .exceptions import _flag_exception
from .lifecycle import (
    _mark_paid,
    order_cancel,
    order_complete,
    order_confirm_delivery,
    order_hold,
    order_mark_paid,
    order_pack,
    order_release,
    order_ship,
    order_start_picking,
)
from .outside import order_ship_outside, order_update_tracking
from .transitions import _check_transition_allowed, _transition


# How far along the lifecycle a status is; on hold counts as paid.
STATUS_RANK = {
    OrderStatus.PENDING_PAYMENT: 0,
    OrderStatus.PAID: 1,
    OrderStatus.ON_HOLD: 1,
    OrderStatus.APPROVED: 2,
    OrderStatus.ALLOCATED: 3,
    OrderStatus.PICKING: 4,
    OrderStatus.PACKED: 5,
    OrderStatus.SHIPPED: 6,
    OrderStatus.DELIVERED: 7,
    OrderStatus.COMPLETED: 8,
}
STATE_RANK = {
    PlatformState.PENDING_PAYMENT: 0,
    PlatformState.PAID: 1,
    PlatformState.SHIPPED: 6,
    PlatformState.DELIVERED: 7,
    PlatformState.COMPLETED: 8,
}
SHIPPED_RANK = 6
OPEN_STATES = (PlatformState.PENDING_PAYMENT, PlatformState.PAID)
# Order fields an importer may fill; everything else is ours.
IMPORTED_FIELDS = frozenset(
    {
        "buyer_nick",
        "buyer_message",
        "seller_memo",
        *SHIP_TO_FIELDS,
        "currency",
        "goods_amount",
        "shipping_amount",
        "discount_amount",
        "tax_amount",
        "promised_ship_by",
    }
)
MONEY_FIELDS = ("goods_amount", "shipping_amount", "discount_amount", "tax_amount")
NOTE_LENGTH = Order._meta.get_field("exception_note").max_length


_CODE_LENGTH = OrderLine._meta.get_field("platform_sku_code").max_length


def _column_problems(incoming: PlatformOrder) -> list[str]:
    """Values that do not fit the columns they would be written to (core.limits), derived amounts included."""
    goods = sum((line.unit_price * line.quantity for line in incoming.lines), ZERO)
    paid_amount = incoming.paid_amount if incoming.paid_amount else incoming.total_amount
    problems = model_problems(
        Order,
        {
            **{name: value for name, value in incoming.details.items() if name in IMPORTED_FIELDS},
            "platform_order_id": incoming.platform_order_id,
            "carrier": incoming.carrier,
            "tracking_number": incoming.tracking_number,
            "cancel_reason": incoming.close_reason,
            "goods_amount": incoming.details.get("goods_amount", goods),
            "paid_amount": paid_amount,
            "placed_at": incoming.placed_at,
            "paid_at": incoming.paid_at,
            "shipped_at": incoming.shipped_at,
            "delivered_at": incoming.delivered_at,
            "completed_at": incoming.completed_at,
            "cancelled_at": incoming.closed_at,
        },
    )
    for line in incoming.lines:
        problems += model_problems(
            OrderLine,
            {
                "title": line.title,
                "quantity": line.quantity,
                "unit_price": line.unit_price * line.quantity,  # the line's total is stored in amounts too
                "discount_amount": line.discount_amount,
            },
        )
        problems += [field_problem(OrderLine, "platform_sku_code", code) for code in line.sku_codes]
    return list(dict.fromkeys(problem for problem in problems if problem))


def platform_order_problems(incoming: PlatformOrder, *, new: bool) -> list[str]:
    """Why this record cannot be written as it is (empty: it can). ``new``: it would create an order."""
    problems = []
    details = incoming.details
    if not IMPORTED_FIELDS.issuperset(details):
        unknown = ", ".join(sorted(set(details) - IMPORTED_FIELDS))
        problems.append(_("These fields cannot be imported: %(fields)s") % {"fields": unknown})
    if incoming.state not in STATE_RANK and incoming.state != PlatformState.CLOSED:
        problems.append(_("Unknown platform state “%(state)s”.") % {"state": incoming.state})
    if not incoming.platform_order_id:
        problems.append(_("The platform order id is missing."))
    problems += _column_problems(incoming)
    for name in MONEY_FIELDS:
        if details.get(name, ZERO) < 0:
            problems.append(_("%(field)s cannot be negative.") % {"field": Order._meta.get_field(name).verbose_name})
    if new:
        if not incoming.lines:
            problems.append(_("The order has no lines."))
        for line in incoming.lines:
            if line.quantity <= 0:
                problems.append(_("A line's quantity must be more than zero."))
            if line.unit_price < 0 or line.discount_amount < 0:
                problems.append(_("A line's price and discount cannot be negative."))
    return problems


# --- SKUs ---------------------------------------------------------------------------------


def line_codes(line: PlatformLine) -> tuple[str, ...]:
    """The codes a line is mapped by. A line without any (a custom item, a
    point-of-sale line) goes by its title, so that a clerk can map it on the
    same list as unknown codes and the next order of that title maps itself."""
    return line.sku_codes or (line.title[:_CODE_LENGTH].strip(),)


class SkuResolver:
    """Our SKU for each platform code of a chunk of lines: the channel's alias
    first, else our own SKU of that code (two queries per chunk)."""

    def __init__(self, channel: Channel, lines):
        codes = {code for line in lines for code in line_codes(line) if code}
        self.aliases, self.own = {}, {}
        if codes:
            self.aliases = dict(
                SKUAlias.objects.filter(channel=channel, platform_sku_code__in=codes).values_list("platform_sku_code", "sku_id")
            )
            self.own = dict(SKU.objects.filter(code__in=codes).values_list("code", "id"))

    def resolve(self, line: PlatformLine) -> tuple[int | None, str]:
        """(our SKU id or None, the platform code kept on the line)."""
        codes = line_codes(line)
        for code in codes:
            if code in self.aliases:
                return self.aliases[code], code
        for code in codes:
            if code in self.own:
                return self.own[code], code
        return None, next((code for code in codes if code), "")


def unknown_sku_note(codes) -> str:
    note = ", ".join(dict.fromkeys(codes))
    return note if len(note) <= NOTE_LENGTH else note[: NOTE_LENGTH - 1] + "…"


def unknown_sku_hold_reason() -> str:
    return _("Unknown SKU: map the platform code to one of our SKUs to release it.")


# --- new orders, in bulk -----------------------------------------------------------------


# Unsaved orders and lines are built as Order(**values) would, only faster (bulk_insert.Prototype).
_ORDER = Prototype(Order)
_LINE = Prototype(OrderLine)


def _later(at: datetime, then: datetime | None) -> datetime:
    """Timeline times never go backwards, whatever the file says."""
    return then if then is not None and then > at else at


def _mark_paid_nothing_due(order: Order, *, actor, method: str, at, check_permission=True, save=True) -> None:
    """Paid at 0.00 (a gift, a 100% discount): the order moves on with no
    payment to record (finance records payments of more than zero)."""
    _transition(
        order,
        "mark_paid",
        actor=actor,
        at=at,
        method_kwargs={"at": at, "amount": ZERO},
        event_details={"amount": ZERO, "method": method},
        check_permission=check_permission,
        save=save,
    )


class _Transitions:
    """Runs transitions on new, unsaved orders. The role's permission for a
    transition is checked on its first use in the chunk (it is the same for
    every order: a permission string on the transition); every run still
    checks the state and the conditions, and writes its timeline event."""

    def __init__(self, actor):
        self.actor = actor
        self.permitted: set[str] = set()
        self.closed_months = finance().closed_months()  # payments may not fall in a closed month

    def _permit(self, order, name):
        if name not in self.permitted:
            _check_transition_allowed(order, name, self.actor)
            self.permitted.add(name)

    def run(self, order, name, *, at, method_kwargs=None, event_details=None):
        self._permit(order, name)
        _transition(
            order,
            name,
            actor=self.actor,
            at=at,
            method_kwargs=method_kwargs if method_kwargs is not None else {"at": at},
            event_details=event_details,
            check_permission=False,
            save=False,
        )

    def mark_paid(self, order, *, at, amount, method, payments_out):
        self._permit(order, "mark_paid")
        if amount == 0:
            _mark_paid_nothing_due(order, actor=self.actor, method=method, at=at, check_permission=False, save=False)
            return
        _mark_paid(
            order,
            actor=self.actor,
            at=at,
            amount=amount,
            method=method,
            reference="",
            check_permission=False,
            unsaved_payments=payments_out,
            closed_months=self.closed_months,
        )


def _build_new_order(
    incoming: PlatformOrder, *, number: str, channel: Channel, steps, resolver, lines_out, payments_out, refunds_out
):
    """The unsaved order with its lines, events, payments (appended to the
    ``*_out`` lists) and the refunds to request once it is saved
    (``refunds_out``: (order, amount, at))."""
    actor = steps.actor
    details = {"currency": channel.default_currency, **incoming.details}
    order = _ORDER.new(
        number=number, channel=channel, platform_order_id=incoming.platform_order_id, placed_at=incoming.placed_at, **details
    )
    unmapped = []
    for line in incoming.lines:
        sku_id, code = resolver.resolve(line)
        if sku_id is None:
            unmapped.append(code)
        lines_out.append(
            _LINE.new(
                order=order,
                sku_id=sku_id,
                platform_sku_code=code,
                title=line.title,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_amount=line.discount_amount,
            )
        )
    if "goods_amount" not in incoming.details:
        order.goods_amount = sum((line.unit_price * line.quantity for line in incoming.lines), ZERO)

    at = incoming.placed_at
    events.order_created(order=order, actor=actor, at=at, source="import")
    state = incoming.state
    if unmapped and state in OPEN_STATES:
        _flag_exception(
            order, actor=actor, at=at, reason=ExceptionReason.UNKNOWN_SKU, note=unknown_sku_note(unmapped), save=False
        )
    elif incoming.figures_note and state != PlatformState.CLOSED:
        note = incoming.figures_note[:NOTE_LENGTH]
        _flag_exception(order, actor=actor, at=at, reason=ExceptionReason.PRICE_MISMATCH, note=note, save=False)
    if state == PlatformState.PENDING_PAYMENT:
        return order
    if state == PlatformState.CLOSED and not incoming.paid_before_closing:
        # Closed unpaid before we ever saw it: nothing to record but the cancellation.
        _cancel_new(order, incoming, steps, at=at)
        return order
    at = _later(at, incoming.paid_at)
    amount = incoming.paid_amount if incoming.paid_amount is not None else order.total_amount
    steps.mark_paid(order, at=at, amount=amount, method=incoming.payment_method, payments_out=payments_out)
    if state == PlatformState.CLOSED:
        # Paid, then cancelled on the platform: the payment stands and is refunded,
        # as far as the platform says, else in full (as order_cancel does).
        refund = incoming.refunded_amount if 0 < incoming.refunded_amount <= amount else amount
        at = _cancel_new(order, incoming, steps, at=at)
        if refund > 0:
            refunds_out.append((order, refund, at))
        return order
    if 0 < incoming.refunded_amount <= amount:
        refunds_out.append((order, incoming.refunded_amount, at))
    if state == PlatformState.PAID:
        if unmapped:
            reason = unknown_sku_hold_reason()
            steps.run(order, "hold", at=at, method_kwargs={"reason": reason}, event_details={"reason": reason})
        return order
    at = _later(at, incoming.shipped_at)
    details = {}
    if incoming.carrier or incoming.tracking_number:
        order.carrier, order.tracking_number = incoming.carrier, incoming.tracking_number
        details = {"carrier": incoming.carrier, "tracking_number": incoming.tracking_number}
    steps.run(order, "ship_outside", at=at, event_details=details)
    if STATE_RANK[state] >= STATE_RANK[PlatformState.DELIVERED]:
        at = _later(at, incoming.delivered_at or incoming.completed_at)
        steps.run(order, "confirm_delivery", at=at)
    if state == PlatformState.COMPLETED:
        steps.run(order, "complete", at=_later(at, incoming.completed_at))
    return order


def _cancel_new(order, incoming: PlatformOrder, steps, *, at) -> datetime:
    at = _later(at, incoming.closed_at)
    reason = incoming.close_reason or _("Closed on the platform.")
    steps.run(order, "cancel", at=at, method_kwargs={"at": at, "reason": reason}, event_details={"reason": reason})
    return at


def _named_by_platform_id(error: DomainError, *, number: str, platform_order_id: str) -> str:
    """The error of a new order, naming it by the platform's id: its order
    number was never saved (rolled back with it, or not even taken in a preview)."""
    message = str(error).replace(number, platform_order_id)
    return message if message.startswith(platform_order_id) else f"{platform_order_id}: {message}"


def _check_new(actor, channel: Channel, orders: list[PlatformOrder]) -> None:
    require_permission(actor, "orders.import_orders", _("Your role may not import orders."))
    ids = [incoming.platform_order_id for incoming in orders]
    if len(set(ids)) != len(ids):
        raise DomainError(_("The same platform order id appears twice in one chunk."))
    existing = [platform_id for (platform_id,) in orders_by_platform_id(channel, ids, ("platform_order_id",))][:5]
    if existing:
        raise DomainError(
            _("Channel %(channel)s already has the orders %(ids)s.") % {"channel": channel, "ids": ", ".join(existing)}
        )


@transaction.atomic
def orders_import_new(
    *, actor, channel: Channel, orders: list[PlatformOrder], batch_id: int | None = None, checked: bool = False
) -> list[Order]:
    """Create orders the channel has not given us before, all or none.

    Raises DomainError (nothing written) when one of them cannot be: the
    caller retries the others one by one to report exactly which.
    ``checked``: the caller (the import pipeline) has just run
    ``platform_order_problems(…, new=True)`` on each record and rejected those
    with problems; the database's constraints still stand behind it.
    """
    if not orders:
        require_permission(actor, "orders.import_orders", _("Your role may not import orders."))
        return []
    for incoming in orders if not checked else ():
        problems = platform_order_problems(incoming, new=True)
        if problems:
            raise DomainError(f"{incoming.platform_order_id}: {' '.join(problems)}")
    _check_new(actor, channel, orders)
    resolver = SkuResolver(channel, [line for incoming in orders for line in incoming.lines])
    numbers = _next_order_numbers(len(orders))
    new_orders, new_lines, new_payments, refunds = [], [], [], []
    steps = _Transitions(actor)
    with events.tagged(batch=batch_id) if batch_id else nullcontext():
        with events.deferred() as new_events:
            for number, incoming in zip(numbers, orders, strict=True):
                try:
                    order = _build_new_order(
                        incoming,
                        number=number,
                        channel=channel,
                        steps=steps,
                        resolver=resolver,
                        lines_out=new_lines,
                        payments_out=new_payments,
                        refunds_out=refunds,
                    )
                except DomainError as error:
                    raise DomainError(
                        _named_by_platform_id(error, number=number, platform_order_id=incoming.platform_order_id)
                    ) from error
                new_orders.append(order)
        insert_rows(new_orders, return_ids=True)
        insert_rows(new_lines)
        insert_rows(new_events)
        insert_rows(new_payments)
        for order, amount, at in refunds:  # a refund needs its order and payment saved
            try:
                finance().refund_request(order=order, actor=actor, amount=amount, reason=_("Refunded on the platform."), at=at)
            except DomainError as error:
                named = _named_by_platform_id(error, number=order.number, platform_order_id=order.platform_order_id)
                raise DomainError(named) from error
    return new_orders  # in the order given


@transaction.atomic  # writes nothing, but reads the closed months as the import does: under their lock
def orders_import_check(*, actor, channel: Channel, orders: list[PlatformOrder]) -> dict[str, str]:
    """The preview of ``orders_import_new``: each order is built exactly as the
    import builds it (transitions, their permissions and conditions, payment
    rules, closed months) and nothing is written. Returns why, by platform
    order id, for each order the import would refuse."""
    _check_new(actor, channel, orders)
    resolver = SkuResolver(channel, [line for incoming in orders for line in incoming.lines])
    steps = _Transitions(actor)
    refused = {}
    with events.deferred():
        for incoming in orders:
            platform_id = incoming.platform_order_id
            try:
                _build_new_order(
                    incoming,
                    number=platform_id,  # a preview takes no order numbers
                    channel=channel,
                    steps=steps,
                    resolver=resolver,
                    lines_out=[],
                    payments_out=[],
                    refunds_out=[],
                )
            except DomainError as error:
                refused[platform_id] = _named_by_platform_id(error, number=platform_id, platform_order_id=platform_id)
    return refused


# --- known orders, one by one ----------------------------------------------------------------


def _local_time(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def platform_order_conflict(
    current, *, platform_order_id: str, placed_at: datetime | None, buyer: str, total: Decimal | None = None
) -> str:
    """Why the file's order is not the one we hold under its platform order id
    (empty: it is). Shopify numbers every shop from #1001: a second shop's
    #1001 in the same channel would otherwise be taken for ours, "unchanged".
    ``current`` needs ``number``, ``buyer_nick``, ``placed_at`` and the money
    fields; ``total``: compared when given (the caller leaves it out once a
    split or a merge has moved the order's money)."""
    differences = []
    if buyer and current.buyer_nick and buyer != current.buyer_nick:
        differences.append(_("buyer %(ours)s, the file %(theirs)s") % {"ours": current.buyer_nick, "theirs": buyer})
    if placed_at is not None and placed_at != current.placed_at:
        differences.append(
            _("placed %(ours)s, the file %(theirs)s")
            % {"ours": _local_time(current.placed_at), "theirs": _local_time(placed_at)}
        )
    ours = current.goods_amount + current.shipping_amount + current.tax_amount - current.discount_amount
    if total is not None and total != ours:
        differences.append(_("total %(ours)s, the file %(theirs)s") % {"ours": ours, "theirs": total})
    if not differences:
        return ""
    return _(
        "Order %(id)s is already here as %(order)s, but the file's order differs (%(differences)s): the same number "
        "from another shop? Import each shop's file into its own channel; if it is this order, settle the difference first."
    ) % {"id": platform_order_id, "order": current.number, "differences": "; ".join(differences)}


def plan_update(current, incoming: PlatformOrder) -> list[str]:
    """The steps that bring a known order to where the platform says it is.

    ``current`` needs ``number``, ``status``, ``exception_reason`` and
    ``tracking_number`` (an Order, or a row read for a preview). Statuses
    only move forward: a file older than what we did since changes nothing.
    Raises DomainError when the platform and we disagree in a way a person
    must settle.
    """
    status, state = current.status, incoming.state
    params = {"order": current.number, "state": PlatformState(state).label}
    if state == PlatformState.CLOSED:
        if status == OrderStatus.CANCELLED:
            return []
        if STATUS_RANK[status] >= SHIPPED_RANK:
            raise DomainError(
                _("%(order)s has shipped, but the platform says it is closed: open an after-sales ticket if it comes back.")
                % params
            )
        if status == OrderStatus.PENDING_PAYMENT and incoming.paid_before_closing:
            return ["mark_paid", "cancel"]  # the cancellation then requests its refund
        return ["cancel"]
    target = STATE_RANK[state]
    if status == OrderStatus.CANCELLED:
        if target == 0:
            return []  # cancelled here while the platform still waits for payment: nothing to do
        raise DomainError(_("%(order)s is cancelled here, but the platform says: %(state)s.") % params)
    steps = []
    if status == OrderStatus.PENDING_PAYMENT and target >= 1:
        steps.append("mark_paid")
        status = OrderStatus.PAID
        if target == 1 and current.exception_reason == ExceptionReason.UNKNOWN_SKU:
            steps.append("hold")
            status = OrderStatus.ON_HOLD
    if target >= SHIPPED_RANK and STATUS_RANK[status] < SHIPPED_RANK:
        if status == OrderStatus.ON_HOLD:
            if current.exception_reason != ExceptionReason.UNKNOWN_SKU:
                raise DomainError(
                    _("%(order)s is on hold here, but the platform says it has shipped: release or cancel it first.")
                    % params
                )
            steps.append("release")  # held only because of an unknown SKU: the platform shipped it regardless
            status = OrderStatus.PAID
        if status in (OrderStatus.PAID, OrderStatus.APPROVED):
            steps.append("ship_outside")
        else:  # our warehouse holds its stock: it left from there
            steps += {
                OrderStatus.ALLOCATED: ["start_picking", "pack", "ship"],
                OrderStatus.PICKING: ["pack", "ship"],
                OrderStatus.PACKED: ["ship"],
            }[status]
        status = OrderStatus.SHIPPED
    elif (
        incoming.tracking_number
        and STATUS_RANK[status] >= SHIPPED_RANK
        and incoming.tracking_number != current.tracking_number
    ):
        steps.append("tracking")
    if target >= STATE_RANK[PlatformState.DELIVERED] and STATUS_RANK[status] < STATUS_RANK[OrderStatus.DELIVERED]:
        steps.append("confirm_delivery")
        status = OrderStatus.DELIVERED
    if target >= STATE_RANK[PlatformState.COMPLETED] and STATUS_RANK[status] < STATUS_RANK[OrderStatus.COMPLETED]:
        steps.append("complete")
    return steps


def _run_step(step: str, order: Order, incoming: PlatformOrder, *, actor) -> None:
    order_id, now = order.pk, timezone.now()
    shipped_at = incoming.shipped_at or now
    if step == "mark_paid":
        amount = incoming.paid_amount if incoming.paid_amount is not None else order.total_amount
        if amount == 0:
            _mark_paid_nothing_due(order, actor=actor, method=incoming.payment_method, at=incoming.paid_at or now)
        else:
            order_mark_paid(
                actor=actor, order_id=order_id, amount=amount, method=incoming.payment_method, at=incoming.paid_at or now
            )
    elif step == "hold":
        order_hold(actor=actor, order_id=order_id, reason=unknown_sku_hold_reason())
    elif step == "release":
        order_release(actor=actor, order_id=order_id)
    elif step == "ship_outside":
        order_ship_outside(
            actor=actor, order_id=order_id, carrier=incoming.carrier, tracking_number=incoming.tracking_number, at=shipped_at
        )
    elif step == "start_picking":
        order_start_picking(actor=actor, order_id=order_id, at=shipped_at)
    elif step == "pack":
        order_pack(actor=actor, order_id=order_id, at=shipped_at)
    elif step == "ship":
        order_ship(
            actor=actor,
            order_id=order_id,
            carrier=incoming.carrier or order.carrier,
            tracking_number=incoming.tracking_number,
            at=shipped_at,
        )
    elif step == "tracking":
        order_update_tracking(
            actor=actor, order_id=order_id, carrier=incoming.carrier, tracking_number=incoming.tracking_number, at=now
        )
    elif step == "confirm_delivery":
        order_confirm_delivery(actor=actor, order_id=order_id, at=incoming.delivered_at or incoming.completed_at or now)
    elif step == "complete":
        order_complete(actor=actor, order_id=order_id, at=incoming.completed_at or now)
    elif step == "cancel":
        order_cancel(
            actor=actor, order_id=order_id, reason=incoming.close_reason or _("Closed on the platform."), at=incoming.closed_at or now
        )
    else:  # pragma: no cover - plan_update names only the steps above
        raise ValueError(step)


class _PreviewDone(Exception):
    def __init__(self, steps):
        self.steps = steps


def order_import_preview(*, actor, order_id: int, incoming: PlatformOrder, checked: bool = False) -> list[str]:
    """What ``order_import_update`` would do, found by doing it and rolling it
    back: the preview runs every check the import runs (rules, the role, closed
    months, payments), and its after-commit work is discarded with it."""
    try:
        with transaction.atomic():
            raise _PreviewDone(order_import_update(actor=actor, order_id=order_id, incoming=incoming, checked=checked))
    except _PreviewDone as done:
        return done.steps


@transaction.atomic
def order_import_update(
    *, actor, order_id: int, incoming: PlatformOrder, batch_id: int | None = None, checked: bool = False
) -> list[str]:
    """Bring one known order up to date with the platform; returns the steps run.

    All or nothing: a step that is refused (a rule, the user's role) rolls the
    order back to where it was and raises DomainError with why. ``checked``: as
    for ``orders_import_new`` (the pipeline ran ``platform_order_problems`` already).
    """
    require_permission(actor, "orders.import_orders", _("Your role may not import orders."))
    order = locks.order_for_update(order_id)
    problems = [] if checked else platform_order_problems(incoming, new=False)
    if problems:
        raise DomainError(" ".join(problems))
    steps = plan_update(order, incoming)
    with events.tagged(batch=batch_id) if batch_id else nullcontext():
        for step in steps:
            _run_step(step, order, incoming, actor=actor)
            order = Order.objects.get(pk=order_id)  # the step's service saved its own copy
    return steps


# What a preview calls each step (a context of its own: "paid" is also a date column).
STEP_LABELS = {
    "mark_paid": pgettext_lazy("import step", "paid"),
    "hold": pgettext_lazy("import step", "on hold (unknown SKU)"),
    "release": pgettext_lazy("import step", "released"),
    "ship_outside": pgettext_lazy("import step", "shipped outside our warehouses"),
    "start_picking": pgettext_lazy("import step", "picking"),
    "pack": pgettext_lazy("import step", "packed"),
    "ship": pgettext_lazy("import step", "shipped from our warehouse"),
    "tracking": pgettext_lazy("import step", "tracking number changed"),
    "confirm_delivery": pgettext_lazy("import step", "delivered"),
    "complete": pgettext_lazy("import step", "completed"),
    "cancel": pgettext_lazy("import step", "cancelled"),
}
