#!/usr/bin/env python
"""The clerk's order list at 1,000,000 orders, against stock Django admin.

Builds a benchmark database (1,000,000 orders, ~3,000,000 lines by default) on
SQLite and on PostgreSQL, then times /admin/orders/order/ through Django's test
Client (server time: URL resolution, middleware, queries, template rendering)
for a filter, two searches, a deep page and the first page, plus a few extra
cases (marked *) that show where the remaining cost is. The baseline is the
same list on a stock ModelAdmin (benchmarks/_changelist_urls.py) requested in
the same run, interleaved with ours, on the same data (GOTCHAS 15).

    .venv/bin/python benchmarks/changelist.py                    # both databases, 1M orders
    .venv/bin/python benchmarks/changelist.py --db sqlite --orders 20000

Databases are reused while they hold the requested number of orders:
benchmarks/out/orderdesk_bench_<N>.sqlite3 and the PostgreSQL database
``orderdesk_bench`` (dropped and rebuilt when its size does not match).
Each database is measured in a child process of its own, because DATABASE_URL
is read once, when the settings load.
"""

import argparse
import enum
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from queue import Empty

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "orderdesk_bench"
# Bump when the generated data changes shape: older benchmark databases are rebuilt.
FIXTURE_VERSION = 1
FIXTURE_TABLE = "benchmark_fixture"
TARGET_MS = 150
CHUNK = 20_000  # orders generated and written per batch
ORDERS_URL = "/admin/orders/order/"
STOCK_URL = "/stock-admin/orders/order/"


# --- the benchmark databases, checked before Django loads ----------------------------


def sqlite_path(orders: int) -> Path:
    return OUT_DIR / f"orderdesk_bench_{orders}.sqlite3"


def fixture_row(cursor):
    cursor.execute(f"SELECT version, orders, lines, built_at, build_seconds FROM {FIXTURE_TABLE}")
    return cursor.fetchone()


def prepare_database(db: str, orders: int, rebuild: bool) -> tuple[str, dict | None]:
    """DATABASE_URL for ``db``, and the fixture found there if it can be reused
    (a database of another size or version is deleted first)."""
    found = None
    if db == "sqlite":
        import sqlite3

        OUT_DIR.mkdir(exist_ok=True)
        path = sqlite_path(orders)
        if path.exists() and not rebuild:
            try:
                with sqlite3.connect(path) as conn:
                    found = fixture_row(conn.cursor())
            except sqlite3.Error:
                found = None
        if not fixture_matches(found, orders):
            found = None
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", found and fixture_dict(found)

    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin_conn:
        exists = admin_conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_NAME]).fetchone()
        if exists and not rebuild:
            try:
                with psycopg.connect(f"{PG_SERVER}/{PG_NAME}") as conn:
                    found = fixture_row(conn.cursor())
            except psycopg.Error:
                found = None
        if exists and not fixture_matches(found, orders):
            found = None
            admin_conn.execute(f'DROP DATABASE "{PG_NAME}" WITH (FORCE)')  # our own benchmark database only
            exists = False
        if not exists:
            admin_conn.execute(f'CREATE DATABASE "{PG_NAME}"')
    return f"{PG_SERVER}/{PG_NAME}", found and fixture_dict(found)


def fixture_matches(row, orders: int) -> bool:
    return bool(row) and row[0] == FIXTURE_VERSION and row[1] == orders and row[4] is not None


def fixture_dict(row) -> dict:
    return {"orders": row[1], "lines": row[2], "built_at": row[3], "build_seconds": row[4], "reused": True}


# --- benchmark data ---------------------------------------------------------------------
#
# This is fixture data for a benchmark, so it bypasses orders.services on purpose:
# rows are written straight into the tables (COPY on PostgreSQL, executemany on
# SQLite). The services would take hours for a million orders and write timelines
# nobody reads here. Order(status=...) at construction does pass the protected
# FSMField (only later assignment is refused, GOTCHAS 4), but bulk_create runs at
# ~10,000 rows/s (GOTCHAS 6). The schema is the real one: `migrate` runs first
# and every index and constraint is in place while loading.

CHANNELS = [  # code, name, platform, share of orders
    ("tmall-flagship", "Tmall flagship store", "tmall", 22),
    ("taobao-main", "Taobao store", "taobao", 15),
    ("jd-pop", "JD store", "jd", 15),
    ("pdd-main", "Pinduoduo store", "pdd", 14),
    ("douyin-shop", "Douyin shop", "douyin", 12),
    ("taobao-outlet", "Taobao outlet", "taobao", 8),
    ("shopify-global", "Shopify global", "shopify", 6),
    ("amazon-us", "Amazon US", "amazon", 5),
    ("b2b-wholesale", "B2B wholesale", "b2b", 3),
]
WAREHOUSES = [  # code, name, provinces served
    ("sh-east", "Shanghai (east)", ["上海", "江苏", "浙江", "安徽", "山东", "福建", "江西"]),
    ("gz-south", "Guangzhou (south)", ["广东", "广西", "海南", "湖南", "云南", "贵州"]),
    ("bj-north", "Beijing (north)", ["北京", "天津", "河北", "辽宁", "四川", "湖北", "陕西", "河南"]),
]
PLACES = [  # province, city, districts, postcode prefix
    ("上海", "上海市", ["浦东新区", "徐汇区", "静安区", "闵行区", "杨浦区"], "200"),
    ("江苏", "南京市", ["玄武区", "鼓楼区", "建邺区"], "210"),
    ("江苏", "苏州市", ["姑苏区", "工业园区", "吴中区"], "215"),
    ("浙江", "杭州市", ["西湖区", "上城区", "滨江区", "余杭区"], "310"),
    ("浙江", "宁波市", ["海曙区", "鄞州区"], "315"),
    ("安徽", "合肥市", ["蜀山区", "包河区"], "230"),
    ("山东", "青岛市", ["市南区", "崂山区"], "266"),
    ("福建", "厦门市", ["思明区", "湖里区"], "361"),
    ("江西", "南昌市", ["东湖区", "红谷滩区"], "330"),
    ("广东", "广州市", ["天河区", "越秀区", "海珠区", "番禺区"], "510"),
    ("广东", "深圳市", ["南山区", "福田区", "宝安区", "龙岗区"], "518"),
    ("广西", "南宁市", ["青秀区", "兴宁区"], "530"),
    ("海南", "海口市", ["美兰区", "龙华区"], "570"),
    ("湖南", "长沙市", ["岳麓区", "芙蓉区"], "410"),
    ("云南", "昆明市", ["五华区", "盘龙区"], "650"),
    ("贵州", "贵阳市", ["南明区", "云岩区"], "550"),
    ("北京", "北京市", ["朝阳区", "海淀区", "东城区", "丰台区"], "100"),
    ("天津", "天津市", ["和平区", "南开区"], "300"),
    ("河北", "石家庄市", ["长安区", "桥西区"], "050"),
    ("辽宁", "沈阳市", ["和平区", "沈河区"], "110"),
    ("四川", "成都市", ["锦江区", "武侯区", "高新区"], "610"),
    ("湖北", "武汉市", ["江汉区", "武昌区", "洪山区"], "430"),
    ("陕西", "西安市", ["雁塔区", "碑林区"], "710"),
    ("河南", "郑州市", ["金水区", "中原区"], "450"),
]
PLACE_WEIGHTS = [9, 4, 4, 6, 3, 2, 3, 2, 2, 7, 7, 2, 1, 3, 2, 2, 7, 2, 2, 2, 5, 4, 3, 3]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉红建文琳宇浩凯欣怡雪梅晨阳佳琪子涵一鸣思远雨婷"
ROADS = [f"{a}{b}路" for a in "人民中山解放建设和平新华长江黄河光明朝阳" for b in "东西南北中"]
CARRIERS = [("SF Express", "SF", 13, 30), ("ZTO", "7", 13, 30), ("YTO", "YT", 13, 20), ("JD Logistics", "JDVA", 11, 15), ("EMS", "9", 12, 5)]
BUYER_WORDS = ["sunny", "panda", "lucky", "xiaomei", "dragon", "tea", "moon", "cloud", "happy", "star", "river", "kitty"]
PRICES_CENTS = [990, 1990, 2990, 3990, 4990, 5990, 7990, 9900, 12900, 15900, 19900, 29900, 49900, 89900]
PRODUCTS = ["T-shirt", "hoodie", "mug", "tea set", "phone case", "backpack", "water bottle", "desk lamp", "notebook", "socks"]
VARIANTS = ["black", "white", "red", "blue", "green", "grey", "S", "M", "L", "XL"]

HOUR, DAY = 3600, 86400
# Status by the order's age in days: new orders are still being worked, old ones
# are completed (≈ 82% overall) or cancelled.
STATUS_BY_AGE = [
    (0.5, {"pending_payment": 15, "paid": 24, "on_hold": 2, "approved": 18, "allocated": 14, "picking": 8, "packed": 7, "shipped": 8, "cancelled": 4}),
    (2, {"pending_payment": 1, "paid": 3, "on_hold": 1, "approved": 4, "allocated": 5, "picking": 3, "packed": 4, "shipped": 74, "cancelled": 5}),
    (6, {"shipped": 45, "delivered": 45, "completed": 5, "cancelled": 5}),
    (15, {"shipped": 1, "delivered": 20, "completed": 74, "cancelled": 5}),
    (10_000, {"delivered": 0.5, "completed": 94, "cancelled": 5.5}),
]
STEPS = ["paid", "approved", "allocated", "picking", "packed", "shipped", "delivered", "completed"]
STEP_GAPS = {  # seconds after the previous step: (min, max)
    "paid": (30, 1800),
    "approved": (300, 3 * HOUR),
    "allocated": (60, 1800),
    "picking": (600, 6 * HOUR),
    "packed": (300, HOUR),
    "shipped": (600, 4 * HOUR),
    "delivered": (DAY, 4 * DAY),
    "completed": (7 * DAY, 10 * DAY),
}
REACHED = {  # status -> steps it has been through
    "pending_payment": [],
    "paid": STEPS[:1],
    "on_hold": STEPS[:1],
    "approved": STEPS[:2],
    "allocated": STEPS[:3],
    "picking": STEPS[:4],
    "packed": STEPS[:5],
    "shipped": STEPS[:6],
    "delivered": STEPS[:7],
    "completed": STEPS,
}
OPEN_STATUSES = {"paid", "on_hold", "approved", "allocated", "picking", "packed"}


def cumulative(weights):
    total, out = 0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def order_columns(Order):
    return [field.column for field in Order._meta.concrete_fields]


def build_reference_data(rng):
    """Channels, warehouses, SKUs, roles and users, through the ORM."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from inventory.models import SKU, Warehouse
    from orders.models import Channel
    from orders.roles import roles_setup

    roles_setup()
    users = {}
    User = get_user_model()
    for username, role, superuser in [
        ("bench_admin", None, True),
        ("bench_clerk", "Clerk", False),
        ("bench_warehouse", "Warehouse", False),
        ("bench_service", "Customer service", False),
    ]:
        user = User(username=username, is_staff=True, is_superuser=superuser)
        user.set_unusable_password()
        user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        users[username] = user
    channels = Channel.objects.bulk_create(
        [Channel(code=code, name=name, platform=platform) for code, name, platform, _ in CHANNELS]
    )
    warehouses = Warehouse.objects.bulk_create(
        [Warehouse(code=code, name=name, regions=regions, priority=10 * i) for i, (code, name, regions) in enumerate(WAREHOUSES)]
    )
    skus = SKU.objects.bulk_create(
        [
            SKU(
                code=f"SKU{i:05d}",
                name=f"{rng.choice(PRODUCTS)} {rng.choice(VARIANTS)} #{i}",
                barcode=f"69{rng.randrange(10**11):011d}",
            )
            for i in range(1, 1001)
        ]
    )
    return users, channels, warehouses, skus


def sampler(rng, values, weights, size=4096):
    """A function drawing from ``values`` with ``weights``: one random() and one
    list index per draw (random.choices costs ten times more, at millions of draws)."""
    total = sum(weights)
    table, i = [], 0
    cum = cumulative(weights)
    for slot in range(size):
        point = (slot + 0.5) * total / size
        while cum[i] < point:
            i += 1
        table.append(values[i])
    random_ = rng.random
    return lambda: table[int(random_() * size)]


class Generator:
    """Orders and their lines, in id order (ids 1..N, placed over 60 days)."""

    def __init__(self, *, seed, n_orders, now, channels, warehouses, skus, clerk_id, columns, template, vendor):
        """Plain data only (ids, codes, lists): this runs in a process without Django."""
        rng = self.rng = random.Random(seed)
        self.n = n_orders
        self.now = now
        self.start = now - 60 * DAY
        self.index = {name: i for i, name in enumerate(columns)}
        self.template = template
        self.utc_suffix = "+00" if vendor == "postgresql" else ""
        self.channels = [(i, channel_id, platform) for i, (channel_id, platform) in enumerate(channels)]
        self.pick_channel = sampler(rng, self.channels, [share for *_, share in CHANNELS])
        self.channel_counters = [0] * len(channels)
        self.warehouse_by_province = {province: warehouse_id for warehouse_id, regions in warehouses for province in regions}
        sku_rows = [(sku_id, code, name, rng.choice(PRICES_CENTS)) for sku_id, code, name in skus]
        self.pick_sku = sampler(rng, sku_rows, [1 / (rank + 10) for rank in range(len(skus))], 65536)  # Zipf-like
        self.pick_line_count = sampler(rng, (1, 2, 3, 4, 5, 6), (20, 20, 22, 18, 12, 8))
        self.pick_quantity = sampler(rng, (1, 2, 3, 5), (80, 14, 4, 2))
        self.pick_place = sampler(rng, PLACES, PLACE_WEIGHTS)
        self.pick_carrier = sampler(rng, range(len(CARRIERS)), [share for *_, share in CARRIERS])
        self.carrier_counters = [0] * len(CARRIERS)
        self.status_bands = [(limit, sampler(rng, list(d), list(d.values()))) for limit, d in STATUS_BY_AGE]
        self.clerk_id = clerk_id
        self.buyers = []
        self.day_counters = {}
        self.minutes = {}
        self.moneys = {}

    def ts(self, seconds):
        """UTC timestamp text as the backend stores it (formatting cached per minute)."""
        minute, second = divmod(seconds, 60)
        prefix = self.minutes.get(minute)
        if prefix is None:
            prefix = self.minutes[minute] = time.strftime("%Y-%m-%d %H:%M:", time.gmtime(minute * 60))
        return f"{prefix}{second:02d}{self.utc_suffix}"

    def money(self, cents):
        text = self.moneys.get(cents)
        if text is None:
            text = self.moneys[cents] = f"{cents // 100}.{cents % 100:02d}"
        return text

    def randint(self, low, high):
        return low + int(self.rng.random() * (high - low + 1))

    def new_buyer(self):
        rng, randint = self.rng, self.randint
        province, city, districts, postcode = self.pick_place()
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        phone = f"1{rng.choice('3456789')}{randint(0, 9)}{randint(0, 10**8 - 1):08d}"  # 11 digits
        nick = f"{rng.choice(BUYER_WORDS)}_{randint(0, 10**7 - 1):07d}"
        address = f"{rng.choice(ROADS)}{randint(1, 999)}号{randint(1, 30)}栋{randint(101, 2804)}室"
        return (name, phone, nick, province, city, rng.choice(districts), address, f"{postcode}{randint(0, 999):03d}")

    def platform_order_id(self, channel_index, platform, placed):
        """Unique per channel by construction: a counter with random gaps."""
        randint = self.randint
        k = self.channel_counters[channel_index] = self.channel_counters[channel_index] + 1
        if platform in ("tmall", "taobao"):
            return str(3_000_000_000_000_000_000 + channel_index * 10**17 + k * 9973 + randint(0, 9972))
        if platform == "jd":
            return str(300_000_000_000 + k * 97 + randint(0, 96))
        if platform == "pdd":
            return f"{time.strftime('%y%m%d', time.gmtime(placed))}-{100_000_000_000_000 + k * 991 + randint(0, 990)}"
        if platform == "douyin":
            return str(6_900_000_000_000_000_000 + k * 7919 + randint(0, 7918))
        if platform == "shopify":
            return str(5_600_000_000_000 + k * 13 + randint(0, 12))
        if platform == "amazon":
            return f"{111 + k % 4}-{k:07d}-{randint(0, 10**7 - 1):07d}"
        return f"PO{time.strftime('%Y', time.gmtime(placed))}{k:06d}"

    def tracking(self):
        i = self.pick_carrier()
        name, prefix, digits, _ = CARRIERS[i]
        k = self.carrier_counters[i] = self.carrier_counters[i] + 1
        return name, f"{prefix}{10 ** (digits - 1) + k * 37 + self.randint(0, 36)}"

    def chunks(self):
        """Yield (order rows, line rows) for CHUNK orders at a time."""
        rng, col, n, ts, money, randint = self.rng, self.index, self.n, self.ts, self.money, self.randint
        random_ = rng.random
        pick_sku, pick_line_count, pick_quantity = self.pick_sku, self.pick_line_count, self.pick_quantity
        now, step = self.now, 60 * DAY / n
        c_id, c_number, c_channel, c_platform_id = col["id"], col["number"], col["channel_id"], col["platform_order_id"]
        c_status, c_placed, c_promised, c_created = col["status"], col["placed_at"], col["promised_ship_by"], col["created_at"]
        c_goods, c_shipping, c_discount = col["goods_amount"], col["shipping_amount"], col["discount_amount"]
        buyer_columns = [col[c] for c in ("ship_name", "ship_phone", "buyer_nick", "ship_province", "ship_city",
                                          "ship_district", "ship_address", "ship_postcode")]
        step_columns = [(name, col[f"{name}_at"]) for name in STEPS]
        orders, lines = [], []
        for order_id in range(1, n + 1):
            placed = int(self.start + (order_id - 1 + random_()) * step)
            age = (now - placed) / DAY
            for limit, pick_status in self.status_bands:
                if age < limit:
                    status = pick_status()
                    break
            channel_index, channel_id, platform = self.pick_channel()
            if self.buyers and random_() < 0.2:  # a repeat buyer: same phone, name, address
                buyer = self.buyers[int(random_() * len(self.buyers))]
            else:
                buyer = self.new_buyer()
                self.buyers.append(buyer)
            row = self.template.copy()
            for column, value in zip(buyer_columns, buyer):
                row[column] = value
            local_day = ts(placed + 8 * HOUR)  # the order number's day, in Asia/Shanghai
            local_day = local_day[2:4] + local_day[5:7] + local_day[8:10]
            seq = self.day_counters[local_day] = self.day_counters.get(local_day, 0) + 1
            row[c_id] = order_id
            row[c_number] = f"SO{local_day}{seq:06d}"
            row[c_channel] = channel_id
            row[c_platform_id] = self.platform_order_id(channel_index, platform, placed)
            row[c_status] = status
            row[c_placed] = ts(placed)
            row[c_promised] = ts(placed + 2 * DAY)
            row[c_created] = ts(placed + randint(60, 900))
            if random_() < 0.05:
                row[col["priority"]] = 2 if random_() < 0.2 else 1

            # lines and amounts
            goods = 0
            unmapped = status in ("pending_payment", "paid") and random_() < 0.01
            for _ in range(pick_line_count()):
                sku_id, code, title, price = pick_sku()
                quantity = pick_quantity()
                discount = price * quantity // 10 if random_() < 0.05 else 0
                goods += price * quantity - discount
                lines.append((order_id, None if unmapped else sku_id, code, title, quantity, money(price), money(discount)))
            shipping = 1000 if goods < 9900 else 0
            discount = min((500, 1000, 2000)[int(random_() * 3)], goods) if random_() < 0.1 else 0
            row[c_goods] = money(goods)
            row[c_shipping] = money(shipping)
            row[c_discount] = money(discount)

            # milestones
            at = placed
            reached = REACHED.get(status, ())
            if status == "cancelled":
                reached = STEPS[: (0, 0, 1, 1, 2)[int(random_() * 5)]]
            for step_name, column in step_columns[: len(reached)]:
                low, high = STEP_GAPS[step_name]
                at = min(at + randint(low, high), now - 60)
                row[column] = ts(at)
            updated = at
            if len(reached) >= 1:  # paid
                row[col["paid_amount"]] = money(goods + shipping - discount)
            if len(reached) >= 3:  # allocated
                row[col["warehouse_id"]] = self.warehouse_by_province[buyer[3]]
            if len(reached) >= 6:  # shipped
                row[col["carrier"]], row[col["tracking_number"]] = self.tracking()
            if status == "on_hold":
                row[col["held_from_status"]] = "paid"
                row[col["hold_reason"]] = "Buyer asked to wait for a second parcel"
            elif status == "cancelled":
                updated = min(at + randint(60, DAY), now - 60)
                row[col["cancelled_at"]] = ts(updated)
                row[col["cancel_reason"]] = rng.choice(("Buyer cancelled", "Out of stock", "Duplicate order", "Payment timeout"))
            exception = None
            if unmapped:
                exception = "unknown_sku"
            elif status in OPEN_STATUSES and random_() < 0.04:
                exception = rng.choice(("out_of_stock", "address_incomplete", "price_mismatch", "buyer_request"))
            elif status == "shipped" and random_() < 0.01:
                exception = "logistics_stalled"
            if exception:
                row[col["exception_reason"]] = exception
                row[col["exception_note"]] = "benchmark"
                row[col["exception_raised_at"]] = ts(placed + HOUR)
                if random_() < 0.5:
                    row[col["exception_owner_id"]] = self.clerk_id
            row[col["updated_at"]] = ts(max(updated, placed + 900))
            orders.append(row)
            if len(orders) == CHUNK or order_id == n:
                yield orders, lines
                orders, lines = [], []


def received(queue, producer):
    """The producer's chunks until its end marker; fails if it dies first."""
    while True:
        try:
            chunk = queue.get(timeout=10)
        except Empty:
            if not producer.is_alive():
                raise RuntimeError(f"the generator process died (exit code {producer.exitcode})") from None
            continue
        if chunk is None:
            return
        yield chunk


def order_template(Order):
    """One order row of column defaults, in concrete-field order."""
    template = []
    for field in Order._meta.concrete_fields:
        if field.has_default():
            value = field.get_default()
            if isinstance(value, enum.Enum):  # TextChoices/IntegerChoices: the database value
                value = value.value
            template.append(value if isinstance(value, (int, str)) else str(value))
        else:
            template.append("" if field.get_internal_type() in ("CharField", "TextField") else None)
    return template


def copy_text(rows, width):
    """Rows in PostgreSQL's COPY text format. The generated values hold no tab,
    newline or backslash, which the counts below make sure of."""
    text = "".join("\t".join(["\\N" if v is None else str(v) for v in row]) + "\n" for row in rows)
    if text.count("\t") != len(rows) * (width - 1) or text.count("\n") != len(rows) or text.count("\\") != text.count("\\N"):
        raise ValueError("a generated value needs COPY escaping")
    return text.encode()


def produce(queue, generator_kwargs):
    """PostgreSQL: generate and format in a process of its own, so that the
    server's index maintenance (the larger cost) overlaps with generating."""
    width = len(generator_kwargs["columns"])
    for orders, lines in Generator(**generator_kwargs).chunks():
        queue.put((len(orders), copy_text(orders, width), len(lines), copy_text(lines, len(LINE_COLUMNS))))
    queue.put(None)


LINE_COLUMNS = ["order_id", "sku_id", "platform_sku_code", "title", "quantity", "unit_price", "discount_amount"]


def write_rows(connection, table, columns, rows):
    """COPY text (bytes) on PostgreSQL, executemany of tuples on SQLite."""
    quoted = ", ".join(f'"{c}"' for c in columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
            copy.write(rows)
    else:
        marks = ", ".join("?" * len(columns))
        connection.connection.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', rows)


def chunks_for(connection, generator_kwargs):
    """(order count, orders, line count, lines) per chunk: generated right here for
    SQLite, whose inserts are cheap; by a second process for PostgreSQL."""
    if connection.vendor != "postgresql":
        for orders, lines in Generator(**generator_kwargs).chunks():
            yield len(orders), orders, len(lines), lines
        return
    context = multiprocessing.get_context("spawn")
    queue = context.Queue(maxsize=3)
    producer = context.Process(target=produce, args=(queue, generator_kwargs), daemon=True)
    producer.start()
    yield from received(queue, producer)
    producer.join()
    if producer.exitcode != 0:
        raise RuntimeError(f"the generator process failed (exit code {producer.exitcode})")


def build_fixture(n_orders: int) -> dict:
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from orders.models import Order, OrderLine

    started = time.perf_counter()
    print(f"[{connection.vendor}] migrate", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(20_250_601)
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        connection.ensure_connection()
        # Bulk-load settings for this connection only; the file ends up in WAL mode as the app expects.
        connection.connection.execute("PRAGMA journal_mode=OFF")
        connection.connection.execute("PRAGMA synchronous=OFF")
        connection.connection.execute("PRAGMA cache_size=-1000000")  # 1 GB: random index inserts stay in memory
    else:
        with connection.cursor() as cursor:
            # Foreign keys are valid by construction here; skipping their triggers saves
            # ~3M deferred checks at commit. Indexes and check constraints still apply.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET synchronous_commit = off")
    with transaction.atomic():
        users, channels, warehouses, skus = build_reference_data(rng)
        columns = order_columns(Order)
        generator_kwargs = {
            "seed": rng.random(),
            "n_orders": n_orders,
            "now": (int(time.time()) // HOUR) * HOUR,
            "channels": [(c.id, c.platform) for c in channels],
            "warehouses": [(w.id, w.regions) for w in warehouses],
            "skus": [(s.id, s.code, s.name) for s in skus],
            "clerk_id": users["bench_clerk"].id,
            "columns": columns,
            "template": order_template(Order),
            "vendor": connection.vendor,
        }
        written = lines_written = 0
        for order_count, orders, line_count, lines in chunks_for(connection, generator_kwargs):
            write_rows(connection, Order._meta.db_table, columns, orders)
            write_rows(connection, OrderLine._meta.db_table, LINE_COLUMNS, lines)
            written += order_count
            lines_written += line_count
            if written % 200_000 == 0 or written == n_orders:
                print(f"[{connection.vendor}] {written:,} orders, {lines_written:,} lines, "
                      f"{time.perf_counter() - started:.0f} s", flush=True)
        if written != n_orders:
            raise RuntimeError(f"{written:,} orders written instead of {n_orders:,}")
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Order, OrderLine]):
                cursor.execute(sql)
            cursor.execute(
                f"CREATE TABLE {FIXTURE_TABLE} (version integer, orders integer, lines integer, built_at varchar(32), build_seconds real)"
            )
            cursor.execute(
                f"INSERT INTO {FIXTURE_TABLE} VALUES (%s, %s, %s, %s, NULL)",
                [FIXTURE_VERSION, n_orders, lines_written, time.strftime("%Y-%m-%d %H:%M:%S")],
            )
    loaded = time.perf_counter()
    with connection.cursor() as cursor:
        if sqlite:
            # Back to the app's journal mode. No ANALYZE: the app never runs it on SQLite
            # (and sqlite_stat1 does not change the plans measured here).
            cursor.execute("PRAGMA journal_mode=WAL")
        else:
            cursor.execute("RESET session_replication_role")
            cursor.execute("RESET synchronous_commit")
            # VACUUM sets the visibility map (index-only counts) as autovacuum would soon after a big load.
            cursor.execute("VACUUM ANALYZE")
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {FIXTURE_TABLE} SET build_seconds = %s", [round(seconds, 1)])
    if sqlite:
        connection.close()
    print(f"[{connection.vendor}] built in {seconds:.0f} s (load {loaded - started:.0f} s)", flush=True)
    return {"orders": n_orders, "lines": lines_written, "build_seconds": round(seconds, 1), "reused": False}


# --- measuring --------------------------------------------------------------------------


def percentile(samples, q):
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def get(client, url, expect=None):
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code} {response.get('Location', '')}")
    if expect and expect.encode() not in response.content:
        raise RuntimeError(f"{url}: {expect!r} is not on the page")
    return elapsed, response


def count_queries(client, url):
    """One request's queries: counted by CaptureQueriesContext, timed to the
    microsecond by an execute wrapper (the captured times are whole milliseconds)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timed = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append(((time.perf_counter() - started) * 1000, sql))

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
        response = client.get(url)
    if len(captured.captured_queries) != len(timed):
        raise RuntimeError("query count and timed queries disagree")
    rows = response.content.count(b'name="_selected_action"')
    return [(ms, query["sql"]) for (ms, _), query in zip(timed, captured.captured_queries)], rows


def bench_cases(n_orders):
    from django.utils import timezone

    from orders.models import Channel, Order, OrderStatus

    biggest = Channel.objects.get(code=CHANNELS[0][0])
    sample_number, sample_platform_id = Order.objects.filter(pk=n_orders // 2).values_list("number", "platform_order_id").get()
    by_phone = Order.objects.filter(pk=n_orders // 3).values_list("ship_phone", flat=True).get()
    phone_numbers = list(Order.objects.filter(ship_phone=by_phone).values_list("number", flat=True))
    shipped = Order.objects.filter(status=OrderStatus.SHIPPED, channel=biggest).order_by("-id").values_list("number", flat=True)[:1].get()
    pages = -(-n_orders // 100)
    page = 500 if pages >= 1000 else max(2, pages // 2)
    newest = Order.objects.order_by("-id").values_list("number", flat=True)[:1].get()
    on_page = Order.objects.order_by("-id").values_list("number", flat=True)[(page - 1) * 100]
    completed = Order.objects.filter(status=OrderStatus.COMPLETED).order_by("-id").values_list("number", flat=True)[:1].get()
    tracking = Order.objects.filter(pk=n_orders // 4).values_list("tracking_number", "number").get()
    cases = [
        # key, label, query string, a number that must be on the page
        ("a", f"filter status=shipped + channel={biggest.id}", f"?status=shipped&channel__id__exact={biggest.id}", shipped),
        ("b", f"search platform id {sample_platform_id}", f"?q={sample_platform_id}", sample_number),
        ("c", f"search phone {by_phone} ({len(phone_numbers)} hit)", f"?q={by_phone}", phone_numbers[0]),
        ("d", f"page {page}, unfiltered", f"?p={page}", on_page),
        ("e", "first page, unfiltered", "", newest),
        # Extra cases beyond the brief, to show where the remaining cost is.
        ("f*", "filter status=completed", "?status=completed", completed),
        ("g*", f"filter channel={biggest.id}", f"?channel__id__exact={biggest.id}", None),
    ]
    if tracking[0]:
        cases.append(("h*", f"search tracking {tracking[0]}", f"?q={tracking[0]}", tracking[1]))
    today = timezone.localdate()
    week = f"?placed_at__range__gte={today - timedelta(days=6):%Y-%m-%d}&placed_at__range__lte={today:%Y-%m-%d}"
    cases.append(("i*", "filter placed in the last 7 days", week, newest))
    return cases


def measure(n_orders, runs, warmups, verbose):
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client, override_settings

    from orders.models import Order

    User = get_user_model()
    cases = bench_cases(n_orders)
    results = {"cases": [], "page_sizes": {}, "load_before": os.getloadavg()}
    with override_settings(ROOT_URLCONF="_changelist_urls"):
        for username in ("bench_clerk", "bench_admin"):
            client = Client()
            client.force_login(User.objects.get(username=username))
            for key, label, query, expect in cases:
                ours, stock = [], []
                for i in range(warmups + runs):
                    # Interleaved, so that drift in machine speed hits both alike.
                    ours_ms, _ = get(client, ORDERS_URL + query, expect)
                    stock_ms, _ = get(client, STOCK_URL + query, expect)
                    if i >= warmups:
                        ours.append(ours_ms)
                        stock.append(stock_ms)
                queries, rows = count_queries(client, ORDERS_URL + query)
                stock_queries, _ = count_queries(client, STOCK_URL + query)
                slowest = max(queries)
                entry = {
                    "db": connection.vendor,
                    "user": username,
                    "case": f"{key} {label}",
                    "median": statistics.median(ours),
                    "p90": percentile(ours, 0.9),
                    "queries": len(queries),
                    "rows": rows,
                    "slowest_query_ms": slowest[0],
                    "slowest_query": slowest[1][:300],
                    "stock_median": statistics.median(stock),
                    "stock_p90": percentile(stock, 0.9),
                    "stock_queries": len(stock_queries),
                    "stock_slowest_query_ms": max(stock_queries)[0],
                }
                results["cases"].append(entry)
                print(f"[{connection.vendor}] {username:<11} {key:<3} {label:<48} {entry['median']:8.1f} ms "
                      f"({len(queries)} q, slowest {slowest[0]:.1f} ms)  stock {entry['stock_median']:8.1f} ms", flush=True)
                if verbose:
                    for name, captured in (("ours", queries), ("stock", stock_queries)):
                        for ms, sql in captured:
                            print(f"      {name:<5} {ms:8.1f} ms  {sql[:400]}")

        # Queries per request must not grow with the page: 20, 100 and 200 rows per page
        # (timed too, which shows what one more row costs to render).
        client = Client()
        client.force_login(User.objects.get(username="bench_clerk"))
        order_admin = admin.site.get_model_admin(Order)
        original = order_admin.list_per_page
        try:
            for key, label, query, _ in cases[:5]:
                counts = []
                for size in (20, 100, 200):
                    order_admin.list_per_page = size
                    for _ in range(warmups):
                        get(client, ORDERS_URL + query)
                    median = statistics.median(get(client, ORDERS_URL + query)[0] for _ in range(runs))
                    queries, rows = count_queries(client, ORDERS_URL + query)
                    counts.append((size, rows, len(queries), median))
                results["page_sizes"][f"{key} {label}"] = counts
        finally:
            order_admin.list_per_page = original
    results["load_after"] = os.getloadavg()
    return results


def child_main(args):
    url, fixture = prepare_database(args.db, args.orders, args.rebuild)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmarks-only-not-a-secret")  # DEBUG is off, as in production
    os.environ.setdefault("DJANGO_HTTPS", "0")  # the test Client speaks plain HTTP: no redirect to HTTPS
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.db import connection

    if fixture is None:
        fixture = build_fixture(args.orders)
    else:
        print(f"[{connection.vendor}] reusing the benchmark database built {fixture['built_at']} "
              f"in {fixture['build_seconds']:.0f} s; migrating it", flush=True)
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)  # indexes added since it was built
    results = measure(args.orders, args.runs, args.warmups, args.verbose)
    results["fixture"] = fixture
    results["db"] = args.db
    Path(args.json_out).write_text(json.dumps(results))


# --- the report ------------------------------------------------------------------------------


def print_report(all_results, orders, runs, warmups):
    print()
    print(f"Order changelist, {orders:,} orders; server time through the test Client, median of {runs} runs after {warmups} warm-ups.")
    print("Baseline: the same list on a stock ModelAdmin (icontains search_fields, Paginator, show_full_result_count=True),")
    print("requested alternately with ours in the same run. ratio = baseline median / our median.")
    for db, results in all_results.items():
        fixture = results["fixture"]
        how = "reused; built" if fixture.get("reused") else "built"
        load = f"{results['load_before'][0]:.1f} → {results['load_after'][0]:.1f}"
        print(f"{db}: {fixture['orders']:,} orders, {fixture['lines']:,} lines ({how} in {fixture['build_seconds']:.0f} s); "
              f"load average while measuring {load} on {os.cpu_count()} CPUs")
    for username, title in (("bench_clerk", "as the Clerk role"), ("bench_admin", "as a superuser")):
        print()
        print(f"== {title}")
        header = ["database", "case", "median ms", "p90 ms", "queries", "baseline median ms", "baseline queries", "ratio", f"≤{TARGET_MS} ms"]
        rows = []
        for db, results in all_results.items():
            for entry in results["cases"]:
                if entry["user"] != username:
                    continue
                rows.append([
                    db,
                    entry["case"],
                    f"{entry['median']:.1f}",
                    f"{entry['p90']:.1f}",
                    str(entry["queries"]),
                    f"{entry['stock_median']:.1f}",
                    str(entry["stock_queries"]),
                    f"{entry['stock_median'] / entry['median']:.1f}×",
                    "yes" if entry["median"] <= TARGET_MS else "NO",
                ])
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        right = {2, 3, 4, 5, 6, 7}
        line = lambda r: "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
        print(line(header))
        print("  ".join("-" * w for w in widths))
        for r in rows:
            print(line(r))
    print()
    print("* extra cases, beyond the brief's five.")
    print()
    print("Queries per request by list_per_page (Clerk, our admin): rows shown, queries, median ms")
    for db, results in all_results.items():
        for case, counts in results["page_sizes"].items():
            shown = "   ".join(f"{size}/page: {rows:>3} rows {queries:>2} q {ms:6.1f} ms" for size, rows, queries, ms in counts)
            print(f"  {db:<8} {case[:44]:<44} {shown}")
    print()
    print("Slowest query per request (Clerk, our admin):")
    for db, results in all_results.items():
        for entry in results["cases"]:
            if entry["user"] == "bench_clerk":
                print(f"  {db:<8} {entry['case'][:48]:<48} {entry['slowest_query_ms']:7.1f} ms (baseline {entry['stock_slowest_query_ms']:7.1f} ms)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmups", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the benchmark databases even if they match")
    parser.add_argument("--verbose", action="store_true", help="print every query with its time")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.child:
        return child_main(args)

    all_results = {}
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            command = [
                sys.executable, __file__, "--child", "--db", db, "--orders", str(args.orders),
                "--runs", str(args.runs), "--warmups", str(args.warmups), "--json-out", out.name,
            ]
            command += ["--rebuild"] if args.rebuild else []
            command += ["--verbose"] if args.verbose else []
            subprocess.run(command, check=True)
            all_results[db] = json.loads(Path(out.name).read_text())
    print_report(all_results, args.orders, args.runs, args.warmups)


if __name__ == "__main__":
    main()
