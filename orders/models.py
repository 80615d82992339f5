"""Orders: channels, customers, orders with their lines and their timeline.

The order's status moves only through the transition methods below (the field
is protected); each transition is run by a service in ``orders.services``,
which checks the permission declared here and writes the timeline event.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, RETURN_VALUE, FSMField, FSMModelMixin, transition

from core.fsm import condition
from inventory.selectors import stock_shortages_for_order

# Import batches (issue 3) live next to their importers; imported here so that
# Django registers them as models of this app.
from .importers.models import ImportBatch, ImportKind, ImportRejection, ImportStatus  # noqa: F401

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def money_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, default=ZERO, **kwargs)


class Platform(models.TextChoices):
    TAOBAO = "taobao", _("Taobao")
    TMALL = "tmall", _("Tmall")
    JD = "jd", _("JD")
    PDD = "pdd", _("Pinduoduo")
    DOUYIN = "douyin", _("Douyin")
    SHOPIFY = "shopify", _("Shopify")
    AMAZON = "amazon", _("Amazon")
    B2B = "b2b", _("B2B purchase orders")
    MANUAL = "manual", _("Manual entry")
    OTHER = "other", _("Other")


class Channel(models.Model):
    """A shop on a platform: a seller may run several shops on one platform."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    default_currency = models.CharField(_("default currency"), max_length=3, default="CNY")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CustomerGrade(models.TextChoices):
    VIP = "vip", _("VIP")
    A = "a", _("Grade A")
    B = "b", _("Grade B")
    C = "c", _("Grade C")


class Customer(models.Model):
    name = models.CharField(_("name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    is_business = models.BooleanField(_("business (B2B) customer"), default=False)
    grade = models.CharField(_("grade"), max_length=8, choices=CustomerGrade.choices, default=CustomerGrade.C)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    credit_limit = models.DecimalField(
        _("credit limit"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("B2B only: open orders beyond this amount go to credit review."),
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), null=True, blank=True, help_text=_("B2B only, e.g. 30 for net 30.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        permissions = [
            ("change_credit_limit", _("Can change a customer's credit limit")),
            ("change_payment_terms", _("Can change a customer's payment terms")),
        ]

    def __str__(self):
        return f"{self.name} ({self.company})" if self.company else self.name


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Pending payment")
    PAID = "paid", _("Paid")
    ON_HOLD = "on_hold", _("On hold")
    APPROVED = "approved", _("Approved")
    ALLOCATED = "allocated", _("Allocated")
    PICKING = "picking", _("Picking")
    PACKED = "packed", _("Packed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ExceptionReason(models.TextChoices):
    OUT_OF_STOCK = "out_of_stock", _("Out of stock")
    ADDRESS_INCOMPLETE = "address_incomplete", _("Address incomplete")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    UNKNOWN_SKU = "unknown_sku", _("Unknown SKU")
    PRICE_MISMATCH = "price_mismatch", _("Price mismatch")
    CREDIT_REVIEW = "credit_review", _("Credit review")
    LOGISTICS_STALLED = "logistics_stalled", _("Logistics stalled")
    CUSTOMS_RETURNED = "customs_returned", _("Customs returned")
    BUYER_REQUEST = "buyer_request", _("Buyer request")
    OTHER = "other", _("Other")


class Priority(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    HIGH = 1, _("High")
    URGENT = 2, _("Urgent")


# Statuses in which stock is reserved for the order in its warehouse.
STOCK_RESERVED_STATUSES = (OrderStatus.ALLOCATED, OrderStatus.PICKING, OrderStatus.PACKED)
# Orders may be merged or split (and merges/splits undone) only before picking starts.
MERGEABLE_STATUSES = (OrderStatus.PAID, OrderStatus.APPROVED, OrderStatus.ALLOCATED)
# Where an order goes: recipient, phone and address. Written once so that merging, splitting,
# corrections, replacements and imports all mean the same fields by "ship-to".
SHIP_TO_FIELDS = (
    "ship_name",
    "ship_phone",
    "ship_country",
    "ship_province",
    "ship_city",
    "ship_district",
    "ship_address",
    "ship_postcode",
)
# An exception blocks these steps, except the ones that resolve it by themselves.
EXCEPTIONS_RESOLVED_BY_ALLOCATION = (ExceptionReason.OUT_OF_STOCK,)


# --- Transition conditions: pure checks on the order's own fields and lines.
# Each carries the message a user reads when it stops a transition.


@condition(_("The order has no lines."))
def lines_exist(order):
    return order.lines.exists()


@condition(_("Some lines are not mapped to a SKU of ours."))
def lines_all_mapped(order):
    return not order.lines.filter(sku__isnull=True).exists()


@condition(_("The ship-to address is incomplete."))
def address_complete(order):
    return order.has_complete_address()


@condition(_("The order has an open exception; resolve it first."))
def no_open_exception(order):
    return not order.exception_reason


@condition(_("The order has an open exception that allocation cannot resolve."))
def no_exception_blocking_allocation(order):
    return not order.exception_reason or order.exception_reason in EXCEPTIONS_RESOLVED_BY_ALLOCATION


@condition(_("No warehouse is assigned."), asked_for=True)
def warehouse_assigned(order):
    return order.warehouse_id is not None


@condition(_("Not enough stock is available in the assigned warehouse."), asked_for=True)
def stock_in_warehouse(order):
    if order.warehouse_id is None:
        return False
    # The allocation service has locked and read the stock rows already: it
    # leaves what it found on the instance so that the check costs no query.
    checked = getattr(order, "checked_stock_shortages", None)
    if checked is not None and checked[0] == order.warehouse_id:
        return not checked[1]
    return not stock_shortages_for_order(order, order.warehouse_id)


@condition(_("A carrier and a tracking number are required."), asked_for=True)
def tracking_number_given(order):
    return bool(order.carrier.strip() and order.tracking_number.strip())


# --- B2B payment terms and credit review (issue 5; services in orders.services.credit) ---


@condition(
    _("Only orders of B2B customers on payment terms are approved before they are paid."), hides_transition=True
)
def customer_on_payment_terms(order):
    customer = order.customer
    return bool(customer and customer.is_business and customer.payment_terms_days)


@condition(_("The order is held for credit review: Finance or a Supervisor decides."))
def not_in_credit_review(order):
    return order.held_from_status != OrderStatus.PENDING_PAYMENT


@condition(_("The order is not held for credit review."), hides_transition=True)
def in_credit_review(order):
    return order.held_from_status == OrderStatus.PENDING_PAYMENT


class OrderQuerySet(models.QuerySet):
    def with_open_exception(self):
        return self.exclude(exception_reason="")

    def awaiting_shipment(self):
        return self.filter(status__in=STOCK_RESERVED_STATUSES)


class PaymentMethod(models.TextChoices):
    PLATFORM = "platform", _("Platform escrow")
    ALIPAY = "alipay", _("Alipay")
    WECHAT = "wechat", _("WeChat Pay")
    CARD = "card", _("Card")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH_ON_DELIVERY = "cod", _("Cash on delivery")
    OTHER = "other", _("Other")


class Order(FSMModelMixin, models.Model):
    number = models.CharField(_("order number"), max_length=20, unique=True, editable=False)
    channel = models.ForeignKey(Channel, models.PROTECT, related_name="orders", verbose_name=_("channel"))
    platform_order_id = models.CharField(_("platform order id"), max_length=64, blank=True)
    customer = models.ForeignKey(
        Customer, models.SET_NULL, null=True, blank=True, related_name="orders", verbose_name=_("customer")
    )
    buyer_nick = models.CharField(_("buyer account"), max_length=100, blank=True)
    buyer_message = models.TextField(_("buyer message"), blank=True)
    seller_memo = models.TextField(_("seller memo"), blank=True)

    ship_name = models.CharField(_("recipient"), max_length=100, blank=True)
    ship_phone = models.CharField(_("recipient phone"), max_length=32, blank=True)
    ship_country = models.CharField(_("country"), max_length=2, default="CN")
    ship_province = models.CharField(_("province / state"), max_length=64, blank=True)
    ship_city = models.CharField(_("city"), max_length=64, blank=True)
    ship_district = models.CharField(_("district"), max_length=64, blank=True)
    ship_address = models.CharField(_("street address"), max_length=255, blank=True)
    ship_postcode = models.CharField(_("postcode"), max_length=16, blank=True)

    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    goods_amount = money_field(_("goods amount"))
    shipping_amount = money_field(_("shipping"))
    discount_amount = money_field(_("discount"))
    tax_amount = money_field(_("tax"))
    paid_amount = money_field(_("paid amount"))

    status = FSMField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT, protected=True)
    held_from_status = models.CharField(max_length=20, blank=True, editable=False)
    hold_reason = models.CharField(_("hold reason"), max_length=255, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=255, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("warehouse"),
    )
    carrier = models.CharField(_("carrier"), max_length=64, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)

    exception_reason = models.CharField(_("exception"), max_length=32, choices=ExceptionReason.choices, blank=True)
    exception_note = models.CharField(_("exception note"), max_length=255, blank=True)
    exception_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_order_exceptions",
        verbose_name=_("exception owner"),
    )
    exception_raised_at = models.DateTimeField(_("exception raised"), null=True, blank=True)

    promised_ship_by = models.DateTimeField(_("promised ship-by"), null=True, blank=True)
    # --- merge and split (orders.services.merging) ---
    merged_into = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_orders",
        verbose_name=_("ships with"),
        help_text=_("Merged: this order is packed and shipped together with that one."),
    )
    split_from = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="split_orders",
        verbose_name=_("split from"),
    )
    # --- end merge and split ---
    placed_at = models.DateTimeField(_("placed"), help_text=_("When the buyer placed the order on the platform."))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    allocated_at = models.DateTimeField(_("allocated"), null=True, blank=True)
    picking_at = models.DateTimeField(_("picking started"), null=True, blank=True)
    packed_at = models.DateTimeField(_("packed"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "platform_order_id"],
                condition=~Q(platform_order_id=""),
                name="order_unique_platform_id_per_channel",
            ),
            models.CheckConstraint(
                condition=Q(goods_amount__gte=0)
                & Q(shipping_amount__gte=0)
                & Q(discount_amount__gte=0)
                & Q(tax_amount__gte=0)
                & Q(paid_amount__gte=0),
                name="order_amounts_not_negative",
            ),
        ]
        indexes = [
            # The clerk's list: newest first, filtered by status and/or channel.
            models.Index(fields=["status", "channel", "-id"], name="order_status_channel_idx"),
            # Status alone: without it SQLite sorted all 400,000 completed orders of 1,000,000 for one page.
            models.Index(fields=["status", "-id"], name="order_status_idx"),
            models.Index(fields=["channel", "-id"], name="order_channel_idx"),
            models.Index(fields=["platform_order_id"], name="order_platform_id_idx"),
            models.Index(fields=["ship_phone"], name="order_phone_idx"),
            models.Index(fields=["tracking_number"], name="order_tracking_idx"),
            models.Index(fields=["ship_name"], name="order_ship_name_idx"),
            models.Index(fields=["buyer_nick"], name="order_buyer_nick_idx"),
            models.Index(fields=["placed_at"], name="order_placed_idx"),
            models.Index(fields=["paid_at"], name="order_paid_idx"),
            models.Index(fields=["warehouse", "status"], name="order_warehouse_status_idx"),
            models.Index(
                fields=["exception_reason", "-id"],
                condition=~Q(exception_reason=""),
                name="order_open_exception_idx",
            ),
        ]
        permissions = [
            ("view_buyer_contact", _("Can see buyer phone numbers")),
            ("view_order_amounts", _("Can see prices and amounts")),
            ("mark_order_paid", _("Can record an order as paid")),
            ("approve_order", _("Can approve orders")),
            ("allocate_order", _("Can allocate stock to orders")),
            ("pick_order", _("Can start picking orders")),
            ("pack_order", _("Can mark orders packed")),
            ("ship_order", _("Can ship orders")),
            ("confirm_delivery", _("Can confirm delivery")),
            ("complete_order", _("Can complete orders")),
            ("hold_order", _("Can put orders on hold")),
            ("release_order", _("Can release orders from hold")),
            ("cancel_order", _("Can cancel orders before allocation")),
            ("cancel_allocated_order", _("Can cancel orders whose stock is reserved")),
            ("flag_exception", _("Can flag order exceptions")),
            ("resolve_exception", _("Can resolve order exceptions")),
            ("merge_orders", _("Can merge and split orders")),
            ("decide_credit", _("Can decide credit reviews of B2B orders")),
            ("record_outside_shipment", _("Can record orders shipped outside our warehouses")),
        ]

    def __str__(self):
        return self.number

    # --- yes/no questions -------------------------------------------------

    def has_complete_address(self) -> bool:
        required = [self.ship_name, self.ship_address, self.ship_country]
        if self.ship_country == "CN":
            required += [self.ship_phone, self.ship_province, self.ship_city]
        return all(value.strip() for value in required)

    def has_stock_reserved(self) -> bool:
        return self.status in STOCK_RESERVED_STATUSES

    def has_refund_pending(self) -> bool:
        """A refund is requested or approved and not yet paid."""
        return self.refunds.pending().exists()

    def ships_to_same_place_as(self, other: "Order") -> bool:
        """Same channel, same buyer and the same ship-to (name, phone, address): one parcel can serve both."""
        if self.channel_id != other.channel_id or self.customer_id != other.customer_id:
            return False
        if self.buyer_nick.strip().lower() != other.buyer_nick.strip().lower():
            return False
        return all(
            " ".join(getattr(self, field).split()).lower() == " ".join(getattr(other, field).split()).lower()
            for field in SHIP_TO_FIELDS
        )

    @property
    def total_amount(self) -> Decimal:
        return self.goods_amount + self.shipping_amount + self.tax_amount - self.discount_amount

    # --- transitions: fields only; run them through orders.services -------

    @transition(status, source=OrderStatus.PENDING_PAYMENT, target=OrderStatus.PAID, permission="orders.mark_order_paid")
    def mark_paid(self, *, at, amount):
        self.paid_at = at
        self.paid_amount = amount

    @transition(
        status,
        source=OrderStatus.PAID,
        target=OrderStatus.APPROVED,
        permission="orders.approve_order",
        conditions=[lines_exist, lines_all_mapped, address_complete, no_open_exception],
    )
    def approve(self, *, at):
        self.approved_at = at

    @transition(
        status,
        source=OrderStatus.APPROVED,
        target=OrderStatus.ALLOCATED,
        permission="orders.allocate_order",
        conditions=[no_exception_blocking_allocation, warehouse_assigned, stock_in_warehouse],
    )
    def allocate(self, *, at):
        self.allocated_at = at

    @transition(status, source=OrderStatus.ALLOCATED, target=OrderStatus.APPROVED, permission="orders.allocate_order")
    def deallocate(self):
        self.allocated_at = None

    @transition(
        status,
        source=OrderStatus.ALLOCATED,
        target=OrderStatus.PICKING,
        permission="orders.pick_order",
        conditions=[no_open_exception],
    )
    def start_picking(self, *, at):
        self.picking_at = at

    @transition(status, source=OrderStatus.PICKING, target=OrderStatus.PACKED, permission="orders.pack_order")
    def pack(self, *, at):
        self.packed_at = at

    @transition(
        status,
        source=OrderStatus.PACKED,
        target=OrderStatus.SHIPPED,
        permission="orders.ship_order",
        conditions=[tracking_number_given],
    )
    def ship(self, *, at):
        self.shipped_at = at

    @transition(status, source=OrderStatus.SHIPPED, target=OrderStatus.DELIVERED, permission="orders.confirm_delivery")
    def confirm_delivery(self, *, at):
        self.delivered_at = at

    @transition(status, source=OrderStatus.DELIVERED, target=OrderStatus.COMPLETED, permission="orders.complete_order")
    def complete(self, *, at):
        self.completed_at = at

    @transition(
        status,
        source=[OrderStatus.PAID, OrderStatus.APPROVED],
        target=OrderStatus.ON_HOLD,
        permission="orders.hold_order",
    )
    def hold(self, *, reason):
        self.held_from_status = self.status
        self.hold_reason = reason

    @transition(
        status,
        source=OrderStatus.ON_HOLD,
        target=GET_STATE(lambda order: order.held_from_status, states=[OrderStatus.PAID, OrderStatus.APPROVED]),
        permission="orders.release_order",
        conditions=[not_in_credit_review],
    )
    def release(self):
        self.hold_reason = ""

    @transition(
        status,
        source=[OrderStatus.PENDING_PAYMENT, OrderStatus.PAID, OrderStatus.APPROVED, OrderStatus.ON_HOLD],
        target=OrderStatus.CANCELLED,
        permission="orders.cancel_order",
    )
    def cancel(self, *, at, reason):
        self.cancelled_at = at
        self.cancel_reason = reason

    @transition(
        status,
        source=list(STOCK_RESERVED_STATUSES),
        target=OrderStatus.CANCELLED,
        permission="orders.cancel_allocated_order",
    )
    def cancel_allocated(self, *, at, reason):
        self.cancelled_at = at
        self.cancel_reason = reason

    # --- B2B payment terms and credit review (issue 5) --------------------

    @transition(
        status,
        source=OrderStatus.PENDING_PAYMENT,
        target=RETURN_VALUE(OrderStatus.APPROVED, OrderStatus.ON_HOLD),
        permission="orders.approve_order",
        conditions=[customer_on_payment_terms, lines_exist, lines_all_mapped, address_complete, no_open_exception],
    )
    def approve_on_terms(self, *, at, credit_hold_reason=""):
        """Approved before payment, on the customer's terms; held for credit
        review instead when the service found the customer over its limit."""
        if credit_hold_reason:
            self.held_from_status = self.status
            self.hold_reason = credit_hold_reason
            return OrderStatus.ON_HOLD
        self.approved_at = at
        return OrderStatus.APPROVED

    @transition(
        status,
        source=OrderStatus.ON_HOLD,
        target=OrderStatus.APPROVED,
        permission="orders.decide_credit",
        conditions=[in_credit_review],
    )
    def grant_credit(self, *, at):
        self.approved_at = at
        self.held_from_status = self.hold_reason = ""

    @transition(
        status,
        source=OrderStatus.ON_HOLD,
        target=OrderStatus.PENDING_PAYMENT,
        permission="orders.decide_credit",
        conditions=[in_credit_review],
    )
    def refuse_credit(self, *, reason):
        self.held_from_status = self.hold_reason = ""
    # --- platform facts (issue 3: imports) ---------------------------------
    # An order the platform reports as shipped while none of our warehouses
    # holds its stock (shipped by the platform's own fulfilment, a supplier,
    # or before Orderdesk): recorded as shipped without reserving or
    # consuming our stock. An order with stock reserved leaves through
    # pick → pack → ship instead, and its reservation is consumed.
    @transition(
        status,
        source=[OrderStatus.PAID, OrderStatus.APPROVED],
        target=OrderStatus.SHIPPED,
        permission="orders.record_outside_shipment",
    )
    def ship_outside(self, *, at):
        self.shipped_at = at


class OrderLine(models.Model):
    order = models.ForeignKey(Order, models.CASCADE, related_name="lines", verbose_name=_("order"))
    sku = models.ForeignKey(
        "inventory.SKU", models.PROTECT, null=True, blank=True, related_name="order_lines", verbose_name=_("SKU")
    )
    platform_sku_code = models.CharField(_("platform SKU code"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=255)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = money_field(_("unit price"))
    discount_amount = money_field(_("line discount"))
    split_from = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("split from line")
    )

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.title} × {self.quantity}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity - self.discount_amount


class OrderEventType(models.TextChoices):
    CREATED = "created", _("Order created")
    PAID = "paid", _("Payment received")
    APPROVED = "approved", _("Approved")
    ALLOCATED = "allocated", _("Stock allocated")
    PICKING_STARTED = "picking_started", _("Picking started")
    PACKED = "packed", _("Packed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    HELD = "held", _("Put on hold")
    RELEASED = "released", _("Released from hold")
    CANCELLED = "cancelled", _("Cancelled")
    STOCK_RELEASED = "stock_released", _("Reserved stock released")
    EXCEPTION_FLAGGED = "exception_flagged", _("Exception flagged")
    EXCEPTION_RESOLVED = "exception_resolved", _("Exception resolved")
    DETAILS_CHANGED = "details_changed", _("Details changed")
    RETURN_OPENED = "return_opened", _("Return opened")
    REFUND_REQUESTED = "refund_requested", _("Refund requested")
    REFUND_APPROVED = "refund_approved", _("Refund approved")
    REFUND_PAID = "refund_paid", _("Refund paid")
    INVOICE_ISSUED = "invoice_issued", _("Invoice issued")
    INVOICE_VOIDED = "invoice_voided", _("Invoice voided")
    # --- stock and fulfilment (issue 4) ---
    DEALLOCATED = "deallocated", _("Allocation undone")
    MERGED = "merged", _("Merged for shipping")
    UNMERGED = "unmerged", _("Merge undone")
    SPLIT = "split", _("Split")
    SPLIT_UNDONE = "split_undone", _("Split undone")
    WAVE_ASSIGNED = "wave_assigned", _("Added to a pick wave")
    # --- issue 5: after-sales tickets, money on account, credit review ---
    PAYMENT_RECEIVED = "payment_received", _("Payment received on account")
    REFUND_FAILED = "refund_failed", _("Refund failed")
    CREDIT_NOTE_ISSUED = "credit_note_issued", _("Credit note issued")
    CREDIT_HELD = "credit_held", _("Held for credit review")
    CREDIT_GRANTED = "credit_granted", _("Credit approved")
    CREDIT_REFUSED = "credit_refused", _("Credit refused: pay first")
    RETURN_ASSIGNED = "return_assigned", _("Ticket handed to")
    RETURN_APPROVED = "return_approved", _("Ticket approved")
    RETURN_REJECTED = "return_rejected", _("Ticket rejected")
    RETURN_CANCELLED = "return_cancelled", _("Ticket cancelled")
    RETURN_AWAITED = "return_awaited", _("Waiting for the goods to come back")
    RETURN_RECEIVED = "return_received", _("Returned goods received")
    RETURN_INSPECTED = "return_inspected", _("Returned goods inspected")
    RETURN_REFUNDED = "return_refunded", _("Ticket refunded")
    RETURN_EXCHANGED = "return_exchanged", _("Replacement sent (exchange)")
    RETURN_RESHIPPED = "return_reshipped", _("Replacement sent (reship)")
    RETURN_CLOSED = "return_closed", _("Ticket closed")
    # Imports (issue 3)
    SHIPPED_OUTSIDE = "shipped_outside", _("Shipped outside our warehouses")
    LINES_MAPPED = "lines_mapped", _("Lines mapped to SKUs")


class OrderEvent(models.Model):
    """One row of an order's timeline. Written only by orders.events."""

    order = models.ForeignKey(Order, models.CASCADE, related_name="events", verbose_name=_("order"))
    type = models.CharField(_("event"), max_length=32, choices=OrderEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("time"), db_index=True)
    parameters = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="order_event_timeline_idx")]

    def __str__(self):
        return f"{self.order_id} {self.type}"


class ExceptionNotification(models.Model):
    """Marks that an exception's owner was told, so a retried task tells once."""

    event = models.OneToOneField(OrderEvent, models.CASCADE, related_name="notification")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)


class UnmappedLineQuerySet(models.QuerySet):
    def waiting(self):
        """Lines of orders still worked on whose platform code maps to none of our SKUs."""
        return self.filter(sku__isnull=True).exclude(order__status=OrderStatus.CANCELLED)


class UnmappedLine(OrderLine):
    """Order lines waiting for their platform SKU code to be mapped (the clerk's list)."""

    objects = UnmappedLineQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = _("line waiting for a SKU")
        verbose_name_plural = _("lines waiting for a SKU")
