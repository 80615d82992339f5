"""What the demo's buyers order — when, on which channel, where to, which
goods — and what will become of each order, decided before any order is
created so that stock can be received to match the demand."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from orders.models import Customer

from .catalogue import CHANNEL_CATEGORY_WEIGHTS, CHANNELS, NEW_ARRIVAL_DAYS, US_CATEGORIES, US_CHANNELS, Item
from .people import chinese_address, us_address, weighted

DAYS = 60
PROMO_DAY = 19  # days ago: a shop-anniversary sale, three times the usual volume
# Orders per hour of the day (local time): a lunch bump and an evening peak.
HOUR_WEIGHTS = [1.2, 0.6, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 2, 3, 3.5, 3.5, 3.2, 3, 3, 3, 3, 3.2, 3.5, 4, 5, 5.5, 5, 3]
# US buyers shop in their own evening, Shanghai's morning.
US_HOUR_SHIFT = 13
# Only the last weeks keep unresolved problems: older ones were dealt with.
OPEN_EXCEPTION_DAYS = 21
OPEN_EXCEPTION_SHARE = 0.1
RESOLVED_EXCEPTION_SHARE = 0.04
UNKNOWN_SKU_DAYS = 6
UNKNOWN_SKU_SHARE = 0.03
NEW_ARRIVAL_SHARE = 0.12
# Exception reasons by kind of channel, with weights.
EXCEPTION_REASONS = {
    "cn": {"address_incomplete": 25, "price_mismatch": 10, "buyer_request": 15, "other": 8, "logistics_stalled": 30},
    "us": {"address_incomplete": 20, "buyer_request": 10, "logistics_stalled": 20, "customs_returned": 20, "other": 5},
    "b2b": {"credit_review": 40, "payment_failed": 30, "logistics_stalled": 30},
    "manual": {"payment_failed": 30, "address_incomplete": 30, "buyer_request": 40},
}
INVOICE_SHARE = {"tmall": 0.3, "jd": 0.4, "b2b": 1.0, "manual": 0.5}


@dataclass
class OrderPlan:
    index: int
    channel: str
    placed_at: datetime
    rng: random.Random  # this order's own: other orders' fates do not shift its data
    lines: list[tuple[Item, int]]
    ship_to: dict
    tax_rate: Decimal = Decimal(0)
    customer: Customer | None = None
    unknown_code: str = ""  # a line whose platform SKU code maps to none of ours
    pays: str = "at_once"  # at_once, later, never
    exception: str = ""  # reason of the exception this order runs into, if any
    exception_stays_open: bool = False
    hold_at: str = ""  # status in which customer service holds the order, if it does
    hold_ends_in_cancel: bool = False
    buyer_cancels: bool = False
    cancelled_in_warehouse: bool = False
    returns: bool = False
    invoiced: bool = False

    @property
    def region(self) -> str:
        """Which list of exception reasons applies: b2b, manual, us or cn."""
        if self.channel in ("b2b", "manual"):
            return self.channel
        return "us" if self.channel in US_CHANNELS else "cn"

    def age_days(self, now) -> float:
        return (now - self.placed_at).total_seconds() / 86400


def placed_times(rng: random.Random, count: int, now: datetime, us_share: float) -> list[tuple[datetime, bool]]:
    """``count`` placing times over the last DAYS days, growing towards today; (time, is_us)."""
    today = timezone.localtime(now).date()
    day_weights = []
    for days_ago in range(DAYS):
        weight = 1 + 0.5 * (DAYS - days_ago) / DAYS
        if (today - timedelta(days=days_ago)).weekday() >= 5:
            weight *= 1.2
        weight *= {PROMO_DAY: 3.0, PROMO_DAY + 1: 1.6}.get(days_ago, 1.0)
        day_weights.append(weight)
    times = []
    while len(times) < count:
        is_us = rng.random() < us_share
        days_ago = rng.choices(range(DAYS), weights=day_weights)[0]
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        local = datetime.combine(today - timedelta(days=days_ago), datetime.min.time()) + timedelta(
            hours=hour + (US_HOUR_SHIFT if is_us else 0), seconds=rng.randint(0, 3599)
        )
        placed = timezone.make_aware(local)
        if placed < now - timedelta(minutes=3):
            times.append((placed, is_us))
    return sorted(times)


class Assortment:
    """Which SKU a channel's buyer picks: category by channel, then by popularity."""

    def __init__(self, rng: random.Random, items: list[Item]):
        regular = [item for item in items if not item.is_new]
        ranks = list(range(1, len(regular) + 1))
        rng.shuffle(ranks)
        self.popularity = {item.code: 1 / rank**0.9 for item, rank in zip(regular, ranks, strict=True)}
        self.by_category: dict[str, list[Item]] = {}
        for item in regular:
            self.by_category.setdefault(item.category, []).append(item)
        self.new_arrivals = [item for item in items if item.is_new]

    def pick(self, rng: random.Random, categories: dict[str, float], count: int) -> list[Item]:
        chosen: list[Item] = []
        while len(chosen) < count:
            pool = self.by_category[weighted(rng, categories)]
            item = rng.choices(pool, weights=[self.popularity[i.code] for i in pool])[0]
            if item not in chosen:
                chosen.append(item)
        return chosen

    def new_arrival(self, rng: random.Random, channel: str) -> Item | None:
        pool = [item for item in self.new_arrivals if channel not in US_CHANNELS or item.category in US_CATEGORIES]
        return rng.choice(pool) if pool else None


def _unknown_code(rng: random.Random, channel: str) -> str:
    # Prefixes no alias of that channel uses: a listing nobody mapped yet.
    prefix = {"tmall": "6", "jd": "2000", "pdd": "9", "douyin": "35"}.get(channel)
    if prefix is None:
        return f"ZP-SAMPLE-{rng.randint(1, 9):02d}"  # a free sample coded by the shop, not in our catalogue
    return prefix + "".join(rng.choice("0123456789") for _ in range(13 - len(prefix)))


def _fate(plan: OrderPlan, now: datetime) -> None:
    rng = plan.rng
    if plan.channel in ("b2b", "manual"):
        plan.pays = "never" if rng.random() < 0.03 else "later"
    else:
        plan.pays = rng.choices(("at_once", "later", "never"), weights=(86, 12, 2))[0]
    if plan.age_days(now) <= OPEN_EXCEPTION_DAYS and rng.random() < OPEN_EXCEPTION_SHARE:
        plan.exception, plan.exception_stays_open = weighted(rng, EXCEPTION_REASONS[plan.region]), True
    elif rng.random() < RESOLVED_EXCEPTION_SHARE:
        plan.exception = weighted(rng, EXCEPTION_REASONS[plan.region])
    if plan.exception == "payment_failed":
        plan.pays = "later"
    if plan.unknown_code:
        plan.exception, plan.exception_stays_open = "unknown_sku", True
    if rng.random() < 0.03:
        plan.hold_at = rng.choices(("paid", "approved"), weights=(7, 3))[0]
        plan.hold_ends_in_cancel = rng.random() < 0.15
    plan.buyer_cancels = rng.random() < 0.015
    plan.cancelled_in_warehouse = rng.random() < 0.004
    plan.returns = rng.random() < 0.025
    plan.invoiced = rng.random() < INVOICE_SHARE.get(plan.channel, 0.05)


def order_plans(*, count: int, seed: int, now: datetime, items: list[Item], customers) -> list[OrderPlan]:
    rng = random.Random(f"{seed}:plans")
    shares = {code: share for code, _name, _platform, _currency, share in CHANNELS}
    us_share = sum(shares[code] for code in US_CHANNELS) / sum(shares.values())
    cn_shares = {code: share for code, share in shares.items() if code not in US_CHANNELS}
    us_shares = {code: shares[code] for code in US_CHANNELS}
    assortment = Assortment(rng, items)
    plans = []
    for index, (placed_at, is_us) in enumerate(placed_times(rng, count, now, us_share)):
        channel = weighted(rng, us_shares if is_us else cn_shares)
        order_rng = random.Random(f"{seed}:order:{index}")
        plan = OrderPlan(index=index, channel=channel, placed_at=placed_at, rng=order_rng, lines=[], ship_to={})
        categories = CHANNEL_CATEGORY_WEIGHTS[channel]
        if channel == "b2b":
            plan.customer, bought, ship_to = order_rng.choice(customers)
            categories = {category: categories.get(category, 1) for category in bought}
            count_lines = order_rng.randint(2, 4)
            quantities = [6 * order_rng.randint(1, 4) for _ in range(count_lines)]  # whole cartons of six
        else:
            count_lines = order_rng.choices((1, 2, 3, 4), weights=(55, 28, 12, 5))[0]
            quantities = [order_rng.choices((1, 2, 3), weights=(70, 22, 8))[0] for _ in range(count_lines)]
        plan.lines = list(zip(assortment.pick(order_rng, categories, count_lines), quantities, strict=True))
        if plan.age_days(now) <= NEW_ARRIVAL_DAYS and channel != "b2b" and order_rng.random() < NEW_ARRIVAL_SHARE:
            new = assortment.new_arrival(order_rng, channel)
            if new:
                plan.lines[0] = (new, 1)
        if plan.age_days(now) <= UNKNOWN_SKU_DAYS and channel in ("tmall", "taobao", "jd", "pdd", "douyin"):
            if order_rng.random() < UNKNOWN_SKU_SHARE:
                plan.unknown_code = _unknown_code(order_rng, channel)
        if is_us:
            plan.ship_to, rate = us_address(order_rng)
            plan.tax_rate = Decimal(rate)
        elif channel == "b2b":
            plan.ship_to = dict(ship_to)
        else:
            plan.ship_to = chinese_address(order_rng)
        _fate(plan, now)
        plans.append(plan)
    return plans
