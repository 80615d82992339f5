"""Each demo order's history, played through the services with past
timestamps, step after step, until the next step would lie in the future or
the history ends (cancelled, left with an open exception, completed).

Every change goes through orders/finance/aftersales services, so timelines,
payments, refunds and the stock ledger are exactly what real use would leave.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_FLOOR, Decimal
from functools import partial
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractUser
from django.utils import timezone

from aftersales import services as aftersales_services
from aftersales.models import ReturnReason, TicketKind
from core.errors import DomainError
from finance import services as finance_services
from finance.models import Refund, RefundStatus
from orders.models import PaymentMethod
from orders import services
from orders.models import CENT, ZERO, ExceptionReason, OrderLine, Priority
from orders.services import LineInput

from .catalogue import US_CHANNELS, Item
from .people import (
    CARRIERS_BY_CHANNEL,
    CN_BUYER_MESSAGES,
    REMOTE_PROVINCES,
    SELLER_MEMOS,
    US_BUYER_MESSAGES,
    PlatformOrderIds,
    buyer_nick,
    digits,
    tracking_number,
    weighted,
)
from .plans import OrderPlan
from .warehouse import PRESET_CARRIERS


@dataclass(frozen=True)
class Shift:
    start: time
    end: time
    weekdays_only: bool = False
    zone: ZoneInfo | None = None  # None: the site's own time zone


# Shops sell every day, so clerks, customer service and the warehouse work
# every day too; finance keeps office hours.
OFFICE = Shift(time(9), time(21, 30))
WAREHOUSE = Shift(time(8, 30), time(20))
FINANCE = Shift(time(9), time(18), weekdays_only=True)
COURIER = Shift(time(9), time(20))
US_COURIER = Shift(time(9), time(20), zone=ZoneInfo("America/Chicago"))
HOUR, DAY = 60, 24 * 60  # in minutes

# How each channel's orders reach us.
SOURCES = {"taobao": "import", "pdd": "import", "b2b": "manual", "manual": "manual"}  # default "api"
PAYMENT_METHODS = {"shopify-us": PaymentMethod.CARD}  # default: the platform's escrow
PRICE_FACTORS = {"pdd": Decimal("0.9"), "douyin": Decimal("0.95"), "b2b": Decimal("0.6")}
PROMISED_SHIP_HOURS = {"jd": 24, "shopify-us": 72, "amazon-us": 48, "b2b": 120}  # default 48

# Exception reason → (Chinese note, English note, Chinese resolution, English resolution).
EXCEPTION_TEXTS = {
    "address_incomplete": (
        "收货地址不完整，无法下单快递",
        "Ship-to address is incomplete",
        "已电话联系买家补全地址",
        "Buyer sent the full address by e-mail",
    ),
    "price_mismatch": (
        "实付金额低于商品原价，疑似改价未同步",
        "Paid amount below list price",
        "核对为店铺优惠券叠加，金额无误",
        "Checked: a stacked coupon, amount is right",
    ),
    "buyer_request": (
        "买家留言要求更换颜色，待确认",
        "Buyer asked to change the colour",
        "买家确认维持原订单",
        "Buyer keeps the original order",
    ),
    "other": (
        "买家要求开增值税专用发票，待确认抬头",
        "Buyer needs a VAT invoice, details pending",
        "已与买家确认开票信息",
        "Invoice details confirmed with the buyer",
    ),
    "logistics_stalled": (
        "物流信息超过72小时未更新",
        "No carrier scan for 72 hours",
        "快递公司已找到包裹，恢复派送",
        "Carrier located the parcel; delivery resumed",
    ),
    "customs_returned": (
        "海关退运：缺少商业发票",
        "Held by US customs: commercial invoice missing",
        "补交商业发票后已清关",
        "Cleared after resubmitting the commercial invoice",
    ),
    "credit_review": (
        "本单金额超出客户信用额度，需主管审批",
        "Order exceeds the customer's credit limit",
        "主管已批准临时提高信用额度",
        "Supervisor approved a temporary credit increase",
    ),
    "payment_failed": (
        "银行转账被退回：收款账户名称不符",
        "Bank transfer bounced",
        "客户已重新转账",
        "Customer paid again",
    ),
}
EXCEPTION_OWNERS = {
    "address_incomplete": "service",
    "buyer_request": "service",
    "logistics_stalled": "service",
    "customs_returned": "service",
}  # default: clerk
HOLD_REASONS_CN = [
    "买家要求延迟发货",
    "买家申请修改收货地址，待确认",
    "同一买家24小时内多笔相同商品订单，待人工审核",
    "疑似刷单，待核实",
]
HOLD_REASONS_US = ["Buyer asked to change the shipping address", "Possible fraud: billing and shipping differ"]
CANCEL_REASONS_CN = [
    "买家申请退款：拍错了",
    "买家申请退款：不想要了",
    "买家申请退款：地址填错，重新下单",
    "买家申请退款：价格原因",
]
CANCEL_REASONS_US = ["Buyer cancelled: ordered by mistake", "Buyer cancelled: found a better price"]
# Return reason → weight, ticket kinds with weights, Chinese note, English note.
RETURNS = {
    ReturnReason.CHANGED_MIND: (30, {TicketKind.RETURN: 1}, "七天无理由退货", "No longer needed"),
    ReturnReason.DAMAGED: (
        20,
        {TicketKind.RETURN: 4, TicketKind.REFUND_ONLY: 3, TicketKind.RESHIP: 3},
        "收到时外包装破损",
        "Box arrived crushed",
    ),
    ReturnReason.NOT_AS_DESCRIBED: (15, {TicketKind.RETURN: 1}, "颜色与图片不符", "Colour differs from the photos"),
    ReturnReason.WRONG_ITEM: (8, {TicketKind.EXCHANGE: 1, TicketKind.RETURN: 1}, "发错款式", "Wrong variant sent"),
    ReturnReason.LOST_IN_TRANSIT: (
        2,
        {TicketKind.RESHIP: 1},
        "快递显示签收但未收到",
        "Marked delivered, never arrived",
    ),
    ReturnReason.OTHER: (5, {TicketKind.REFUND_ONLY: 1}, "买家协商部分退款", "Partial refund agreed"),
}


class HistoryEnds(Exception):
    """The order stays as it is: its next step lies in the future, or it has none."""


@dataclass
class Staff:
    admin: AbstractUser
    clerk: AbstractUser
    warehouse: AbstractUser
    service: AbstractUser
    finance: AbstractUser
    supervisor: AbstractUser


class OrderHistory:
    def __init__(
        self,
        plan: OrderPlan,
        *,
        channels: dict,
        warehouses: dict,
        platform_ids: PlatformOrderIds,
        staff: Staff,
        now: datetime,
    ):
        self.plan, self.rng, self.staff, self.now = plan, plan.rng, staff, now
        self.platform_ids = platform_ids
        self.channel = channels[plan.channel]
        self.warehouses_by_id = {warehouse.pk: warehouse for warehouse in warehouses.values()}
        self.us = plan.channel in US_CHANNELS
        self.t = plan.placed_at
        self.order_id = None
        self.paid = False
        self.warehouse = None
        self.shipped_at = self.delivered_at = None
        self.missing_address = {}
        self.documents = []

    def play(self) -> list[tuple[datetime, int, Callable[[], object]]]:
        """Run the order's history; returns its numbered documents (invoice, ticket) still to issue.

        Invoices and after-sales tickets are numbered without gaps in the
        order they are issued, so the caller issues all orders' documents
        together, sorted by time, for the numbers to follow the dates.
        """
        try:
            self._create()
            self._payment()
            self._review()
            self._allocation()
            self._fulfilment()
            self._transit()
            self._completion()
        except HistoryEnds:
            pass
        self._invoice()
        self._return()
        return self.documents

    # --- time ----------------------------------------------------------------------

    def _in_shift(self, moment: datetime, shift: Shift) -> datetime:
        zone = shift.zone or timezone.get_current_timezone()
        local = moment.astimezone(zone)
        day, starts_shift = local.date(), False
        if local.time() > shift.end:
            day, starts_shift = day + timedelta(days=1), True
        elif local.time() < shift.start:
            starts_shift = True
        while shift.weekdays_only and day.weekday() >= 5:
            day, starts_shift = day + timedelta(days=1), True
        if not starts_shift:
            return moment
        # Work left overnight is picked up in the first hour of the shift.
        start = timezone.make_aware(datetime.combine(day, shift.start), zone)
        return start + timedelta(minutes=self.rng.uniform(0, 50))

    def _later(self, moment: datetime, low: float, high: float, shift: Shift | None = None) -> datetime:
        moment = moment + timedelta(minutes=self.rng.uniform(low, high))
        return self._in_shift(moment, shift) if shift else moment

    def _next(self, low: float, high: float, shift: Shift | None = None) -> datetime:
        """When the next step happens, ``low``–``high`` minutes on (then within ``shift``)."""
        moment = self._later(self.t, low, high, shift)
        if moment > self.now:
            raise HistoryEnds
        self.t = moment
        return moment

    def _text(self, chinese: str, english: str) -> str:
        return english if self.us else chinese

    # --- creation and payment -------------------------------------------------------

    def _unit_price(self, item: Item) -> Decimal:
        if self.us:
            return item.price_usd
        factor = PRICE_FACTORS.get(self.plan.channel)
        if factor is None:
            return item.price_cny
        return (item.price_cny * factor).to_integral_value(ROUND_FLOOR) + Decimal("0.90")

    def _line(self, item: Item, quantity: int) -> LineInput:
        title = item.name_en if self.us else item.name_zh
        price = self._unit_price(item)
        if self.plan.channel in ("b2b", "manual"):
            return LineInput(title=title, quantity=quantity, unit_price=price, sku=item.sku)
        # Taobao and Shopify exports carry our own code in their seller-SKU field.
        code = item.aliases.get(self.plan.channel, item.code)
        return LineInput(title=title, quantity=quantity, unit_price=price, platform_sku_code=code)

    def _amounts(self, goods: Decimal) -> dict:
        rng, channel = self.rng, self.plan.channel
        shipping = discount = tax = ZERO
        if channel == "tmall" and goods >= 199 and rng.random() < 0.5:
            discount = Decimal("30.00") if goods >= 299 else Decimal("20.00")
        elif channel == "jd" and goods >= 199 and rng.random() < 0.4:
            discount = Decimal("20.00")
        elif channel == "douyin" and rng.random() < 0.3:
            discount = min(Decimal(rng.choice((5, 10, 20))), (goods / 4).quantize(CENT))
        elif channel == "pdd" and goods > 20 and rng.random() < 0.5:
            discount = Decimal(rng.randint(2, 10))
        elif channel == "taobao" and goods >= 50 and rng.random() < 0.1:
            discount = Decimal("5.00")
        elif channel == "shopify-us" and rng.random() < 0.15:
            discount = (goods * Decimal("0.10")).quantize(CENT)  # WELCOME10
        if channel in ("taobao", "pdd") and goods < 39 and rng.random() < 0.4:
            shipping = Decimal("6.00")
        elif channel == "manual" and rng.random() < 0.3:
            shipping = Decimal("12.00")
        elif channel == "shopify-us" and goods < 49:
            shipping = Decimal("5.99")
        elif channel == "amazon-us" and goods < 35:
            shipping = Decimal("4.99")
        if self.us:
            tax = ((goods - discount) * self.plan.tax_rate).quantize(CENT)
        return {"shipping_amount": shipping, "discount_amount": discount, "tax_amount": tax}

    def _create(self) -> None:
        plan, rng, staff = self.plan, self.rng, self.staff
        lines = [self._line(item, quantity) for item, quantity in plan.lines]
        if plan.unknown_code:
            price = Decimal("0.01") if plan.unknown_code.startswith("ZP-") else Decimal("19.90")
            lines.append(
                LineInput(
                    title="试饮装 赠品" if price < 1 else "新品预售 试用装",
                    quantity=1,
                    unit_price=price,
                    platform_sku_code=plan.unknown_code,
                )
            )
        goods = sum((line.unit_price * line.quantity for line in lines), ZERO)
        ship_to = dict(plan.ship_to)
        if plan.exception == "address_incomplete":
            # The platform's export dropped a field; customer service gets it from the buyer.
            field = "ship_address" if self.us else rng.choice(("ship_address", "ship_phone"))
            self.missing_address = {field: ship_to[field]}
            ship_to[field] = ""
        details = {**ship_to, **self._amounts(goods)}
        details["buyer_nick"] = (
            plan.customer.company if plan.customer else buyer_nick(rng, plan.channel, ship_to["ship_name"])
        )
        if rng.random() < 0.1:
            details["buyer_message"] = rng.choice(US_BUYER_MESSAGES if self.us else CN_BUYER_MESSAGES)
        if not self.us and rng.random() < 0.03:
            details["seller_memo"] = rng.choice(SELLER_MEMOS)
        if plan.customer:
            details["customer"] = plan.customer
        if plan.channel in ("tmall", "jd") and rng.random() < 0.05:
            details["priority"] = Priority.HIGH  # 88VIP / PLUS members
        elif plan.channel in ("b2b", "manual") and rng.random() < 0.1:
            details["priority"] = Priority.URGENT
        details["promised_ship_by"] = plan.placed_at + timedelta(hours=PROMISED_SHIP_HOURS.get(plan.channel, 48))
        if plan.channel in PRESET_CARRIERS:  # issue 4: the platform fixes the carrier up front
            details["carrier"] = PRESET_CARRIERS[plan.channel]

        paid_at = None
        if plan.channel not in ("b2b", "manual") and plan.pays != "never":
            low, high = (0.3, 15) if plan.pays == "at_once" else (15, 8 * HOUR)
            paid_at = self._later(plan.placed_at, low, high)
        creator = staff.clerk if SOURCES.get(plan.channel) else None  # API pushes are the system's own
        order = services.order_create(
            actor=creator,
            channel=self.channel,
            lines=lines,
            placed_at=plan.placed_at,
            platform_order_id=self.platform_ids.next(
                rng, plan.channel, timezone.localtime(plan.placed_at), plan.customer
            ),
            source=SOURCES.get(plan.channel, "api"),
            paid_at=paid_at if paid_at and paid_at <= self.now else None,
            payment_method=PAYMENT_METHODS.get(plan.channel, PaymentMethod.PLATFORM),
            **details,
        )
        self.order_id = order.pk
        if paid_at and paid_at <= self.now:
            self.paid, self.t = True, paid_at
        elif paid_at:
            raise HistoryEnds  # the buyer pays in a moment; pending payment for now

    def _payment(self) -> None:
        plan, staff = self.plan, self.staff
        if self.paid:
            return
        if plan.pays == "never" and plan.channel in ("b2b", "manual"):
            self._next(3 * DAY, 5 * DAY, OFFICE)
            self._cancel(staff.clerk, "客户取消采购")
        if plan.pays == "never":
            # Unpaid platform orders: the system proposes cancelling, a supervisor confirms.
            self._next(24 * HOUR, 26 * HOUR, OFFICE)
            self._cancel(staff.supervisor, self._text("超时未付款，已关闭订单", "Not paid within 24 hours"))
        if plan.exception == "credit_review":
            self._exception_flagged(20, 2 * HOUR)
            self._exception_resolved(HOUR, 8 * HOUR, by=staff.supervisor)
        if plan.exception == "payment_failed":
            self._exception_flagged(DAY, 2 * DAY)
            self._exception_resolved(4 * HOUR, DAY)
        if plan.channel == "b2b":
            at = self._next(6 * HOUR, 3 * DAY, OFFICE)
            method, reference = PaymentMethod.BANK_TRANSFER, f"网银回单 {digits(self.rng, 16)}"
        else:
            at = self._next(10, 4 * HOUR, OFFICE)
            method = self.rng.choice((PaymentMethod.WECHAT, PaymentMethod.ALIPAY))
            # WeChat Pay transaction ids start 4200; Alipay trade numbers with the date.
            day = timezone.localtime(at)
            reference = (
                f"4200{digits(self.rng, 24)}"
                if method == PaymentMethod.WECHAT
                else f"{day:%Y%m%d}2200{digits(self.rng, 16)}"
            )
        services.order_mark_paid(actor=staff.clerk, order_id=self.order_id, method=method, reference=reference, at=at)

    # --- review ------------------------------------------------------------------------

    def _review(self) -> None:
        plan, staff = self.plan, self.staff
        if plan.buyer_cancels:
            self._next(5, 5 * HOUR, OFFICE)
            self._cancel(staff.clerk, self.rng.choice(CANCEL_REASONS_US if self.us else CANCEL_REASONS_CN))
        if plan.hold_at == "paid":
            self._hold()
        if plan.exception == "unknown_sku":
            raise HistoryEnds  # order_create flagged it; nobody has mapped the code yet
        if plan.exception == "address_incomplete":
            at = self._next(3, 2 * HOUR, OFFICE)
            try:
                services.order_approve(actor=staff.clerk, order_id=self.order_id, at=at)
            except DomainError:
                pass  # refused, as it should be: the clerk hands it to customer service
            self._exception_flagged(10, HOUR)
            at = self._next(HOUR, 20 * HOUR, OFFICE)
            services.order_update_details(
                actor=staff.service, order_id=self.order_id, changes=self.missing_address, at=at
            )
            self._exception_resolved(1, 5)
        elif plan.exception in ("price_mismatch", "buyer_request", "other"):
            self._exception_flagged(3, 2 * HOUR)
            self._exception_resolved(HOUR, 8 * HOUR)
        at = self._next(3, 2 * HOUR, OFFICE)
        services.order_approve(actor=staff.clerk, order_id=self.order_id, at=at)
        if plan.hold_at == "approved":
            self._hold()

    def _hold(self) -> None:
        staff = self.staff
        at = self._next(1, 30, OFFICE)
        reason = self.rng.choice(HOLD_REASONS_US if self.us else HOLD_REASONS_CN)
        services.order_hold(actor=staff.service, order_id=self.order_id, reason=reason, at=at)
        if self.plan.hold_ends_in_cancel:
            self._next(HOUR, DAY, OFFICE)
            self._cancel(staff.clerk, self._text("买家确认取消订单", "Buyer confirmed the cancellation"))
        at = self._next(2 * HOUR, 2 * DAY, OFFICE)
        services.order_release(actor=staff.service, order_id=self.order_id, at=at)

    # --- exceptions and cancellations ---------------------------------------------

    def _exception_owner(self, reason: str):
        return getattr(self.staff, EXCEPTION_OWNERS.get(reason, "clerk"))

    def _exception_flagged(self, low: float, high: float) -> None:
        """Flag the planned exception; the history ends here if it stays open."""
        reason = self.plan.exception
        at = self._next(low, high, OFFICE)
        owner = self._exception_owner(reason)
        note = self._text(*EXCEPTION_TEXTS[reason][:2])
        # The flagger owns it: an owner other than the actor would queue one
        # e-mail per historical exception for the worker to send.
        services.order_flag_exception(actor=owner, order_id=self.order_id, reason=reason, note=note, owner=owner, at=at)
        if self.plan.exception_stays_open:
            raise HistoryEnds

    def _exception_resolved(self, low: float, high: float, by=None) -> None:
        reason = self.plan.exception
        at = self._next(low, high, OFFICE)
        resolution = self._text(*EXCEPTION_TEXTS[reason][2:])
        actor = by or self._exception_owner(reason)
        services.order_resolve_exception(actor=actor, order_id=self.order_id, resolution=resolution, at=at)

    def _cancel(self, actor, reason: str) -> None:
        services.order_cancel(actor=actor, order_id=self.order_id, reason=reason, at=self.t)
        refund = Refund.objects.filter(order_id=self.order_id, status=RefundStatus.REQUESTED).first()
        if refund is not None:
            approved_at = self._later(self.t, 2 * HOUR, 1.5 * DAY, FINANCE)
            if approved_at <= self.now:
                finance_services.refund_approve(actor=self.staff.finance, refund_id=refund.pk, at=approved_at)
                paid_at = self._later(approved_at, 30, DAY, FINANCE)
                if paid_at <= self.now:
                    finance_services.refund_mark_paid(actor=self.staff.finance, refund_id=refund.pk, at=paid_at)
        raise HistoryEnds

    # --- warehouse and carrier ----------------------------------------------------

    def _allocation(self) -> None:
        staff = self.staff
        at = self._next(1, 30, WAREHOUSE)
        try:
            order = services.order_allocate(actor=staff.warehouse, order_id=self.order_id, at=at)
        except DomainError:
            order = None  # a legitimate refusal: a new arrival sold out
        if order is None:
            self._sold_out()
        self.warehouse = self.warehouses_by_id[order.warehouse_id]
        if self.plan.cancelled_in_warehouse:
            # Stock is reserved by now: only a supervisor may cancel.
            self._next(10, 3 * HOUR, OFFICE)
            self._cancel(
                staff.supervisor, self._text("买家申请取消，仓库已拦截", "Buyer cancelled; stopped in the warehouse")
            )

    def _sold_out(self) -> None:
        """The clerk tracks the order until stock comes; some buyers would rather cancel."""
        staff = self.staff
        at = self._next(5, HOUR, OFFICE)
        sold_out = ", ".join(item.code for item, _quantity in self.plan.lines if item.is_new)
        note = self._text("新品首批已售完，等待补货：", "New arrival sold out, awaiting stock: ") + sold_out
        services.order_flag_exception(
            actor=staff.clerk,
            order_id=self.order_id,
            reason=ExceptionReason.OUT_OF_STOCK,
            note=note,
            owner=staff.clerk,
            at=at,
        )
        if self.rng.random() < 0.3:
            self._next(DAY, 3 * DAY, OFFICE)
            self._cancel(staff.clerk, self._text("缺货，买家同意取消", "Out of stock; buyer agreed to cancel"))
        raise HistoryEnds

    def _fulfilment(self) -> None:
        staff, order_id = self.staff, self.order_id
        at = self._next(20, 4 * HOUR, WAREHOUSE)  # the next pick wave
        services.order_start_picking(actor=staff.warehouse, order_id=order_id, at=at)
        at = self._next(10, HOUR, WAREHOUSE)
        services.order_pack(actor=staff.warehouse, order_id=order_id, at=at)
        at = self._next(20, 3 * HOUR, WAREHOUSE)
        carrier = PRESET_CARRIERS.get(self.plan.channel) or weighted(self.rng, CARRIERS_BY_CHANNEL[self.plan.channel])
        services.order_ship(
            actor=staff.warehouse,
            order_id=order_id,
            carrier=carrier,
            tracking_number=tracking_number(self.rng, carrier),
            at=at,
        )
        self.shipped_at = at

    def _transit_days(self) -> tuple[float, float]:
        ship_to = self.plan.ship_to
        if self.us:
            return 7, 14
        if ship_to["ship_province"] in REMOTE_PROVINCES:
            return 3, 6
        if self.warehouse.serves(province=ship_to["ship_province"], country=ship_to["ship_country"]):
            return 0.8, 2.5
        return 2, 4

    def _transit(self) -> None:
        plan = self.plan
        if plan.exception == "logistics_stalled":
            self._exception_flagged(3 * DAY, 5 * DAY)
            self._exception_resolved(DAY, 3 * DAY)
        elif plan.exception == "customs_returned":
            self._exception_flagged(5 * DAY, 8 * DAY)
            self._exception_resolved(2 * DAY, 4 * DAY)
        low, high = self._transit_days()
        at = self._next(low * DAY, high * DAY, US_COURIER if self.us else COURIER)
        # Carriers push most deliveries; customer service confirms the rest by phone.
        actor = self.staff.service if self.rng.random() < 0.2 else None
        services.order_confirm_delivery(actor=actor, order_id=self.order_id, at=at)
        self.delivered_at = at

    def _completion(self) -> None:
        # Buyers confirm receipt within days; platforms do it for them after 7-10.
        low, high = (5, 14) if self.us else (2, 10)
        at = self._next(low * DAY, high * DAY, OFFICE)
        services.order_complete(actor=self.staff.clerk, order_id=self.order_id, at=at)

    # --- after-sales ------------------------------------------------------------------

    def _invoice(self) -> None:
        # B2B customers get their invoice once delivery is confirmed, others once shipped.
        since = self.delivered_at if self.plan.channel == "b2b" else self.shipped_at
        if not self.plan.invoiced or since is None:
            return
        at = self._later(since, 2 * HOUR, 3 * DAY, FINANCE)
        if at <= self.now:
            self.documents.append(
                (
                    at,
                    self.plan.index,
                    partial(finance_services.invoice_issue, actor=self.staff.finance, order_id=self.order_id, at=at),
                )
            )

    def _return(self) -> None:
        if not self.plan.returns or self.delivered_at is None:
            return
        at = self._later(self.delivered_at, 1 * DAY, 6 * DAY, OFFICE)
        if at > self.now:
            return
        rng = self.rng
        lines = list(
            OrderLine.objects.filter(order_id=self.order_id, sku__isnull=False).values_list(
                "pk", "quantity", "sku__code"
            )
        )
        line_id, quantity, code = rng.choice(lines)
        if code.startswith("APP-") and rng.random() < 0.6:
            reason, kind, note = (
                ReturnReason.SIZE_FIT,
                rng.choice((TicketKind.EXCHANGE, TicketKind.RETURN)),
                self._text("尺码偏小，想换大一号", "Runs small, would like one size up"),
            )
        else:
            reason = weighted(rng, {reason: spec[0] for reason, spec in RETURNS.items()})
            _weight, kinds, note_cn, note_en = RETURNS[reason]
            kind, note = weighted(rng, kinds), self._text(note_cn, note_en)
        ticket = partial(
            aftersales_services.return_open,
            actor=self.staff.service,
            order_id=self.order_id,
            kind=kind,
            reason=reason,
            quantities={line_id: rng.randint(1, quantity)},
            note=note,
            at=at,
        )
        self.documents.append((at, self.plan.index, ticket))
