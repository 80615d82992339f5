#!/usr/bin/env python
"""Importing a Taobao/Tmall export pair: our pipeline against two baselines.

Writes a Taobao-format pair (order report + item report, GBK, ~1.6 lines per
order, the platform's quirks: ``="…"`` ids, ``'`` phones, trailing spaces in
headers) for ``--orders`` orders, then, each in a fresh database and a child
process of its own:

1. our import (manage.py import_orders' path: ImportBatch → pipeline →
   services), first import, then the same files again (unchanged re-import);
2. plain django-import-export ModelResource imports of the same rows: the
   order report into orders, the item report into their lines (no events,
   no payments, no statuses: the baseline does less work than we do);
3. a raw ``bulk_create`` of the same orders and lines (csv + Decimal +
   datetime, no validation, no events, no payments);
4. our first import again on a file of a fifth of the size, to show that
   peak memory does not grow with the file (the files are streamed).

Figures printed: orders/s, the ratios to both baselines (measured in this
run, GOTCHAS 15), and peak memory (VmHWM, reset just before the import).
Targets (2 cores): ≥ 3,000 orders/s first import on SQLite, ≥ 10× the plain
ModelResource, ≥ 40% of raw bulk_create, unchanged re-import ≥ 10,000
orders/s, memory flat in file size.

    .venv/bin/python benchmarks/import_orders.py                  # 100,000 orders, SQLite
    .venv/bin/python benchmarks/import_orders.py --orders 20000   # a quick run
    .venv/bin/python benchmarks/import_orders.py --db postgresql  # database orderdesk_bench_intake

The ModelResource baseline imports the first ``--baseline-orders`` orders
and their lines (default 10,000; it runs at a few hundred rows/s): its rate
is per row, so a part of the file measures it as well as the whole.
"""

import argparse
import csv
import json
import multiprocessing
import os
import random
import statistics
import sys
import time
from pathlib import Path
from queue import Empty

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "orderdesk_bench_intake"
SKUS = 1000
TARGETS = {"first": 3000, "again": 10000, "vs_resource": 10.0, "vs_bulk_create": 0.40}

ORDER_HEADER = [
    "订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "买家支付积分", "总金额", "返点积分",
    "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言", "收货人姓名", "收货地址 ", "运送方式", "联系电话 ",
    "联系手机", "订单创建时间", "订单付款时间 ", "宝贝标题 ", "宝贝种类 ", "物流单号 ", "物流公司", "订单备注",
    "宝贝总数量", "店铺Id", "店铺名称", "订单关闭原因", "卖家服务费", "买家服务费", "发票抬头", "是否手机订单",
    "分阶段订单信息", "特权订金订单id", "是否上传合同照片", "是否上传小票", "是否代付", "定金排名", "修改后的sku",
    "修改后的收货地址", "异常信息", "天猫卡券抵扣", "集分宝抵扣", "是否是O2O交易",
]  # fmt: skip
ITEM_HEADER = ["订单编号", "标题", "价格", "购买数量", "外部系统编号", "商品属性", "套餐信息", "备注", "订单状态", "商家编码"]
# The status mix of a shop's export of the last weeks: mostly finished orders.
STATUSES = [
    ("交易成功", 58),
    ("卖家已发货，等待买家确认", 17),
    ("买家已付款，等待卖家发货", 15),
    ("等待买家付款", 5),
    ("交易关闭", 5),
]
PLACES = [
    "上海 上海市 浦东新区", "江苏省 南京市 玄武区", "浙江省 杭州市 西湖区", "广东省 深圳市 南山区", "北京 北京市 朝阳区",
    "四川省 成都市 武侯区", "湖北省 武汉市 洪山区", "山东省 青岛市 市南区",
]  # fmt: skip
NAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
CARRIERS = ["顺丰速运", "中通快递", "圆通速递", "韵达快递"]


# --- the files ---------------------------------------------------------------------------


def quoted(cell: str) -> str:
    if any(char in cell for char in ',"\n\r') or cell != cell.strip(" "):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def write_pair(orders: int, seed: int = 7) -> tuple[Path, Path, int]:
    """The order report and item report for ``orders`` orders; returns their paths and the line count."""
    OUT_DIR.mkdir(exist_ok=True)
    order_path, item_path = OUT_DIR / f"ExportOrderList_{orders}.csv", OUT_DIR / f"ExportOrderDetailList_{orders}.csv"
    lines_path = OUT_DIR / f"ExportOrders_{orders}.lines"
    if order_path.exists() and item_path.exists() and lines_path.exists():
        return order_path, item_path, int(lines_path.read_text())
    rng = random.Random(seed)
    weights = [weight for _status, weight in STATUSES]
    line_total = 0
    with open(order_path, "w", encoding="gbk", newline="") as order_file, open(
        item_path, "w", encoding="gbk", newline=""
    ) as item_file:
        order_file.write(",".join(quoted(name) for name in ORDER_HEADER) + "\r\n")
        item_file.write(",".join(ITEM_HEADER) + "\r\n")
        for number in range(orders):
            order_id = 3_100_000_000_000_000 + number
            status = rng.choices([status for status, _weight in STATUSES], weights)[0]
            count = rng.choices((1, 2, 3, 4), (60, 25, 10, 5))[0]  # ~1.6 lines per order
            goods = 0
            for sku in rng.sample(range(SKUS), count):  # one row per item: a SKU once per order
                code = f"SKU{sku:05d}" if rng.random() > 0.005 else f"NEW{sku:05d}"  # a few codes we do not know yet
                price, quantity = 990 + 100 * (sku % 90), rng.choice((1, 1, 1, 2))
                goods += price * quantity
                item = [f'="{order_id}"', f"商品{sku} 礼盒装", f"{price / 100:.2f}", str(quantity), "", "颜色分类:默认",
                        "", "", status, code]  # fmt: skip
                item_file.write(",".join(item[:1] + [quoted(cell) for cell in item[1:]]) + "\r\n")
                line_total += 1
            postage = rng.choice((0, 0, 1000))
            total = goods + postage - rng.choice((0, 0, 500)) if goods > 1000 else goods + postage
            placed = 1_714_521_600 + number * 20  # from 2024-05-01, every 20 seconds
            paid = status != "等待买家付款" and status != "交易关闭"
            shipped = status in ("交易成功", "卖家已发货，等待买家确认")
            cells = {
                "订单编号": f'="{order_id}"',
                "买家会员名": f"tb{rng.randrange(10**6):06d}",
                "买家应付货款": f"{goods / 100:.2f}",
                "买家应付邮费": f"{postage / 100:.2f}",
                "总金额": f"{total / 100:.2f}",
                "买家实际支付金额": f"{total / 100:.2f}" if paid else "0.00",
                "订单状态": status,
                "买家留言": rng.choice(["", "", "请尽快发货", "不要放快递柜，谢谢"]),
                "收货人姓名": rng.choice(NAMES) + rng.choice(NAMES),
                "收货地址 ": f"{rng.choice(PLACES)} 幸福路{rng.randrange(1, 999)}号({rng.randrange(100000, 999999)})",
                "联系手机": f"'1{rng.randrange(3, 9)}{rng.randrange(10**9):09d}",
                "订单创建时间": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(placed)),
                "订单付款时间 ": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(placed + 60)) if paid or shipped else "",
                "宝贝标题 ": "商品 礼盒装",
                "宝贝种类 ": str(count),
                "物流单号 ": f"No:SF{rng.randrange(10**12):012d}" if shipped else "",
                "物流公司": rng.choice(CARRIERS) if shipped else "",
                "宝贝总数量": str(count),
                "店铺名称": "Orderdesk 旗舰店",
                "订单关闭原因": "买家未付款" if status == "交易关闭" else "",
            }
            order_file.write(
                ",".join(cells.get(name, "") if name == "订单编号" else quoted(cells.get(name, "")) for name in ORDER_HEADER)
                + "\r\n"
            )
    lines_path.write_text(str(line_total))
    return order_path, item_path, line_total


# --- child processes: one database each --------------------------------------------------


def database_url(db: str, tag: str) -> str:
    if db == "sqlite":
        path = OUT_DIR / f"import_bench_{tag}.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')  # our own benchmark database only
        conn.execute(f'CREATE DATABASE "{PG_NAME}"')
    return f"{PG_SERVER}/{PG_NAME}"


def peak_reset():
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (Linux ≥ 4.0)
    except OSError:
        pass


def peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmarks-only-not-a-secret")  # DEBUG is off, as in production
    os.environ.setdefault("ORDERDESK_IMPORT_DIR", str(OUT_DIR / "imports"))
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def reference_data():
    from django.contrib.auth import get_user_model

    from inventory.models import SKU
    from orders.models import Channel
    from orders.roles import roles_setup

    groups = roles_setup()
    clerk = get_user_model().objects.create(username="bench_clerk", is_staff=True)
    clerk.groups.add(groups["Clerk"])
    channel = Channel.objects.create(code="tmall", name="天猫旗舰店", platform="tmall")
    SKU.objects.bulk_create(SKU(code=f"SKU{n:05d}", name=f"商品{n}") for n in range(SKUS))
    return get_user_model().objects.get(pk=clerk.pk), channel


def child_ours(url: str, paths: list[str], again: bool, queue):
    setup_django(url)
    from django.conf import settings
    from django.test.utils import override_settings

    from orders import services
    from orders.models import ImportBatch, Order

    clerk, channel = reference_data()

    def run():
        files = [(Path(path).name, open(path, "rb")) for path in paths]  # noqa: SIM115 - closed below
        try:
            batch = services.import_batch_create(actor=clerk, channel=channel, files=files)
        finally:
            for _name, handle in files:
                handle.close()
        services.import_batch_import(actor=clerk, batch_id=batch.pk, inline=True)
        services.import_batch_continue(batch_id=batch.pk)
        return ImportBatch.objects.get(pk=batch.pk)

    with override_settings(DEBUG=False):
        assert not settings.DEBUG
        peak_reset()
        started = time.perf_counter()
        batch = run()
        first = time.perf_counter() - started
        result = {"first_s": first, "peak_mb": peak_mb(), "created": batch.created_count, "status": batch.status,
                  "rejected_rows": batch.rejected_rows, "orders": Order.objects.count(), "error": batch.error}  # fmt: skip
        if again:
            started = time.perf_counter()
            batch = run()
            result.update(again_s=time.perf_counter() - started, unchanged=batch.unchanged_count, again_created=batch.created_count)
    queue.put(result)


def child_resource(url: str, order_path: str, item_path: str, limit: int, queue):
    """The same rows through two plain ModelResource imports: the order report
    into orders, then the item report into their lines (as a developer would
    with django-import-export: a Resource per file, columns mapped to fields)."""
    setup_django(url)
    import tablib
    from import_export import fields, resources, widgets

    from orders.models import Order, OrderLine

    _clerk, channel = reference_data()

    class PlainOrderResource(resources.ModelResource):
        platform_order_id = fields.Field(attribute="platform_order_id", column_name="订单编号")
        buyer_nick = fields.Field(attribute="buyer_nick", column_name="买家会员名")
        ship_name = fields.Field(attribute="ship_name", column_name="收货人姓名")
        ship_address = fields.Field(attribute="ship_address", column_name="收货地址 ")
        ship_phone = fields.Field(attribute="ship_phone", column_name="联系手机")
        buyer_message = fields.Field(attribute="buyer_message", column_name="买家留言")
        goods_amount = fields.Field(attribute="goods_amount", column_name="买家应付货款", widget=widgets.DecimalWidget())
        shipping_amount = fields.Field(attribute="shipping_amount", column_name="买家应付邮费", widget=widgets.DecimalWidget())
        placed_at = fields.Field(
            attribute="placed_at", column_name="订单创建时间", widget=widgets.DateTimeWidget("%Y-%m-%d %H:%M:%S")
        )

        class Meta:
            model = Order
            fields = ("platform_order_id", "buyer_nick", "ship_name", "ship_address", "ship_phone", "buyer_message",
                      "goods_amount", "shipping_amount", "placed_at")  # fmt: skip
            import_id_fields = ("platform_order_id",)

        def before_save_instance(self, instance, row, **kwargs):
            instance.channel = channel
            instance.number = f"RS{instance.platform_order_id[-14:]}"

    class PlainLineResource(resources.ModelResource):
        order = fields.Field(
            attribute="order", column_name="订单编号", widget=widgets.ForeignKeyWidget(Order, field="platform_order_id")
        )
        title = fields.Field(attribute="title", column_name="标题")
        unit_price = fields.Field(attribute="unit_price", column_name="价格", widget=widgets.DecimalWidget())
        quantity = fields.Field(attribute="quantity", column_name="购买数量", widget=widgets.IntegerWidget())
        platform_sku_code = fields.Field(attribute="platform_sku_code", column_name="商家编码")

        class Meta:
            model = OrderLine
            fields = ("order", "title", "unit_price", "quantity", "platform_sku_code")
            import_id_fields = ("order", "platform_sku_code")  # an order lists each SKU once

    with open(order_path, encoding="gbk", newline="") as handle:
        text = "".join(line for _number, line in zip(range(limit + 1), handle, strict=False))
    orders = tablib.Dataset().load(text, format="csv")
    wanted = set(orders["订单编号"])
    with open(item_path, encoding="gbk", newline="") as handle:
        header = next(handle)
        text = header + "".join(line for line in handle if line.split(",", 1)[0] in wanted)
    items = tablib.Dataset().load(text, format="csv")
    peak_reset()
    started = time.perf_counter()
    result = PlainOrderResource().import_data(orders, raise_errors=True)
    orders_s = time.perf_counter() - started
    PlainLineResource().import_data(items, raise_errors=True)
    elapsed = time.perf_counter() - started
    queue.put(
        {
            "resource_s": elapsed,
            "resource_orders_s": orders_s,
            "resource_orders": result.totals["new"],
            "resource_lines": OrderLine.objects.count(),
        }
    )


def child_bulk_create(url: str, order_path: str, item_path: str, queue):
    setup_django(url)
    from datetime import datetime
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from django.db import transaction

    from orders.models import Order, OrderLine

    _clerk, channel = reference_data()
    zone = ZoneInfo("Asia/Shanghai")
    peak_reset()
    started = time.perf_counter()
    items: dict[str, list] = {}
    with open(item_path, encoding="gbk", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            items.setdefault(row[0].strip('="'), []).append(row)
    with open(order_path, encoding="gbk", newline="") as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader)]
        at = {name: header.index(name) for name in ("订单编号", "买家会员名", "收货人姓名", "收货地址", "联系手机", "买家应付货款",
                                                    "买家应付邮费", "订单创建时间")}  # fmt: skip
        chunk = []

        def flush():
            with transaction.atomic():
                created = Order.objects.bulk_create([order for order, _rows in chunk], batch_size=1000)
                OrderLine.objects.bulk_create(
                    [
                        OrderLine(order=order, title=row[1], unit_price=Decimal(row[2]), quantity=int(row[3]),
                                  platform_sku_code=row[9])  # fmt: skip
                        for order, rows in zip(created, [rows for _order, rows in chunk], strict=True)
                        for row in rows
                    ],
                    batch_size=1000,
                )
            chunk.clear()

        for row in reader:
            order_id = row[at["订单编号"]].strip('="')
            order = Order(
                number=f"BC{order_id[-14:]}",
                channel=channel,
                platform_order_id=order_id,
                buyer_nick=row[at["买家会员名"]],
                ship_name=row[at["收货人姓名"]],
                ship_address=row[at["收货地址"]],
                ship_phone=row[at["联系手机"]].lstrip("'"),
                goods_amount=Decimal(row[at["买家应付货款"]]),
                shipping_amount=Decimal(row[at["买家应付邮费"]]),
                placed_at=datetime.fromisoformat(row[at["订单创建时间"]]).replace(tzinfo=zone),
            )
            chunk.append((order, items.pop(order_id, [])))
            if len(chunk) >= 2000:
                flush()
        if chunk:
            flush()
    elapsed = time.perf_counter() - started
    queue.put({"bulk_s": elapsed, "peak_mb": peak_mb(), "orders": Order.objects.count()})


def in_child(target, *args):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    while True:
        try:
            result = queue.get(timeout=2)
            break
        except Empty:
            if not process.is_alive():
                raise SystemExit(f"{target.__name__} failed (exit code {process.exitcode}); see its traceback above.") from None
    process.join()
    return result


# --- the run ------------------------------------------------------------------------------


def measure(db: str, orders: int, baseline_orders: int, repeat: int) -> dict:
    order_path, item_path, lines = write_pair(orders)
    small = max(orders // 5, 1)
    small_order_path, small_item_path, _small_lines = write_pair(small)
    print(f"\n== {db}: {orders:,} orders, {lines:,} lines ({lines / orders:.2f} per order); "
          f"files {order_path.stat().st_size / 1e6:.1f} MB + {item_path.stat().st_size / 1e6:.1f} MB (GBK)")  # fmt: skip
    ours = [in_child(child_ours, database_url(db, "ours"), [str(order_path), str(item_path)], True) for _ in range(repeat)]
    for run in ours:
        if run["error"] or run["created"] + run["rejected_rows"] == 0:
            print("  our import failed:", run)
    first = statistics.median(run["first_s"] for run in ours)
    again = statistics.median(run["again_s"] for run in ours)
    small_run = in_child(child_ours, database_url(db, "small"), [str(small_order_path), str(small_item_path)], False)
    resource = in_child(child_resource, database_url(db, "resource"), str(order_path), str(item_path), min(baseline_orders, orders))
    bulk = in_child(child_bulk_create, database_url(db, "bulk"), str(order_path), str(item_path))
    created = ours[0]["created"]
    rates = {
        "first": orders / first,
        "again": orders / again,
        "resource": resource["resource_orders"] / resource["resource_s"],
        "bulk_create": bulk["orders"] / bulk["bulk_s"],
    }
    print(f"  our first import     {first:7.1f} s  {rates['first']:8,.0f} orders/s   (created {created:,}, "
          f"rows rejected {ours[0]['rejected_rows']}, median of {repeat})")  # fmt: skip
    print(f"  our re-import        {again:7.1f} s  {rates['again']:8,.0f} orders/s   (unchanged {ours[0]['unchanged']:,})")
    print(f"  plain ModelResource  {resource['resource_s']:7.1f} s  {rates['resource']:8,.0f} orders/s   "
          f"({resource['resource_orders']:,} orders + {resource['resource_lines']:,} lines, two imports; "
          f"the orders alone {resource['resource_orders'] / resource['resource_orders_s']:,.0f}/s)")  # fmt: skip
    print(f"  raw bulk_create      {bulk['bulk_s']:7.1f} s  {rates['bulk_create']:8,.0f} orders/s   "
          f"(orders + lines, no events, no payments, no checks)")  # fmt: skip
    vs_resource, vs_bulk = rates["first"] / rates["resource"], rates["first"] / rates["bulk_create"]
    print(f"  ratio first import / ModelResource   {vs_resource:6.1f}×   (target ≥ {TARGETS['vs_resource']:.0f}×)")
    print(f"  ratio first import / bulk_create     {vs_bulk:6.0%}    (target ≥ {TARGETS['vs_bulk_create']:.0%})")
    print(f"  peak memory, first import: {small:,} orders {small_run['peak_mb']:.0f} MB, "
          f"{orders:,} orders {ours[0]['peak_mb']:.0f} MB (raw bulk_create: {bulk['peak_mb']:.0f} MB)")  # fmt: skip
    verdicts = [
        ("first import ≥ 3,000 orders/s (a SQLite target)", rates["first"] >= TARGETS["first"] if db == "sqlite" else None),
        ("re-import ≥ 10,000 orders/s (a SQLite target)", rates["again"] >= TARGETS["again"] if db == "sqlite" else None),
        ("≥ 10× ModelResource", vs_resource >= TARGETS["vs_resource"]),
        ("≥ 40% of bulk_create", vs_bulk >= TARGETS["vs_bulk_create"]),
        ("memory flat (≤ 1.25× for 5× the orders)", ours[0]["peak_mb"] <= 1.25 * small_run["peak_mb"]),
    ]
    for label, ok in verdicts:
        print(f"  {'n/a   ' if ok is None else 'met   ' if ok else 'MISSED'} {label}")
    return {"db": db, "rates": rates, "first_s": first, "again_s": again, "peak_mb": ours[0]["peak_mb"],
            "peak_small_mb": small_run["peak_mb"]}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--baseline-orders", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=1, help="our import this many times (median)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    results = [
        measure(db, args.orders, args.baseline_orders, args.repeat)
        for db in (["sqlite", "postgresql"] if args.db == "both" else [args.db])
    ]
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
