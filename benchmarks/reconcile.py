#!/usr/bin/env python
"""Settlement import + matching + reconciliation sheet at 200,000 lines against 150,000 orders.

Builds a benchmark database (150,000 paid Taobao/Tmall orders with their
payments, 5,000 refunds paid) on SQLite and on PostgreSQL, writes an Alipay
账务明细 of 200,000 lines as Alipay does (GBK, "#" preamble and footer,
tab-terminated text cells): 145,000 payments in (about 2% of them with an
amount that differs), 2,000 for orders we do not know, 5,000 refunds, the
platform's fees, withdrawals and a few duplicates. Then, each phase in a
fresh child process so that its peak memory is its own:

    baseline  the same file read with csv (GBK) + bulk_create of the same
              200,000 rows, unmatched: what the work costs without our reader,
              matching and classes
    import    finance.services.settlement_import (read, match, class, write)
    export    finance.reconciliation.reconciliation_workbook for the month (XLSX, streamed)

and prints seconds, lines per second, peak memory (the child's max RSS) and
the ratio to the baseline measured in the same run. Targets: import and
export together ≤ 30 s on each database, peak memory < 1 GB.

    .venv/bin/python benchmarks/reconcile.py                      # both databases, 200,000 lines
    .venv/bin/python benchmarks/reconcile.py --db sqlite --lines 20000

Databases are reused while they hold the requested number of orders:
benchmarks/out/reconcile_<orders>.sqlite3 and the PostgreSQL database
``orderdesk_bench_money`` (BENCH_PG_SERVER, default postgres://postgres@127.0.0.1:5432);
settlement rows of earlier runs are deleted first.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "orderdesk_bench_money"
FIXTURE_TABLE = "reconcile_fixture"
FIXTURE_VERSION = 1
MONTH = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC))  # all lines and payments fall in it
TARGET_SECONDS = 30
TARGET_MB = 1024
REFUNDS = 5_000
UNKNOWN = 2_000
WITHDRAWALS = 100
DUPLICATES = 10


def database_url(db: str, orders: int) -> str:
    if db == "sqlite":
        OUT_DIR.mkdir(exist_ok=True)
        return f"sqlite:///{OUT_DIR / f'reconcile_{orders}.sqlite3'}"
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_NAME]).fetchone():
            conn.execute(f'CREATE DATABASE "{PG_NAME}"')
    return f"{PG_SERVER}/{PG_NAME}"


def setup_django(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmarks-only-not-a-secret")  # DEBUG is off, as in production
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


# --- the fixture: orders, payments, refunds ---------------------------------------------------------


def fixture_orders(connection) -> int | None:
    with connection.cursor() as cursor:
        try:
            cursor.execute(f"SELECT version, orders FROM {FIXTURE_TABLE}")
        except Exception:  # noqa: BLE001 - no such table: not built yet
            return None
        row = cursor.fetchone()
    return row[1] if row and row[0] == FIXTURE_VERSION else None


def build_fixture(n_orders: int) -> None:
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from finance.models import Payment, Refund, SettlementBatch
    from orders.models import Channel, Order

    call_command("migrate", interactive=False, verbosity=0)
    if fixture_orders(connection) == n_orders:
        with transaction.atomic():
            SettlementBatch.objects.all().delete()  # earlier runs' lines (cascade)
        print(f"[{connection.vendor}] reusing {n_orders:,} orders", flush=True)
        return
    started = time.perf_counter()
    with transaction.atomic():
        for model in ("finance_settlementline", "finance_settlementbatch", "finance_refundline", "finance_refund",
                      "finance_payment", "orders_orderevent", "orders_order"):
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {model}")  # noqa: S608 - our own table names
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {FIXTURE_TABLE}")
        user, _ = get_user_model().objects.get_or_create(username="bench_finance")
        tmall, _ = Channel.objects.get_or_create(code="bench-tmall", defaults={"name": "Tmall", "platform": "tmall"})
        taobao, _ = Channel.objects.get_or_create(code="bench-taobao", defaults={"name": "Taobao", "platform": "taobao"})
        start, end = MONTH
        span = (end - start).total_seconds()
        batch = 20_000
        for first in range(0, n_orders, batch):
            orders = []
            for n in range(first, min(first + batch, n_orders)):
                paid_at = start + timedelta(seconds=span * n / n_orders)
                amount = Decimal(19 + n % 500) + Decimal(n % 100) / 100
                orders.append(
                    Order(
                        number=f"SOB{n:09d}",
                        channel=tmall if n % 3 else taobao,
                        platform_order_id=f"{3_300_000_000_000 + n}",
                        status="completed",
                        placed_at=paid_at - timedelta(minutes=5),
                        paid_at=paid_at,
                        completed_at=paid_at + timedelta(days=3),
                        goods_amount=amount,
                        paid_amount=amount,
                        ship_name="张三",
                    )
                )
            Order.objects.bulk_create(orders, batch_size=5000)
            print(f"[{connection.vendor}] {first + len(orders):,} orders", flush=True)
        ids = dict(Order.objects.values_list("number", "pk"))
        payments = []
        for n in range(n_orders):
            amount = Decimal(19 + n % 500) + Decimal(n % 100) / 100
            payments.append(
                Payment(
                    order_id=ids[f"SOB{n:09d}"], amount=amount, currency="CNY", method="platform",
                    paid_at=start + timedelta(seconds=span * n / n_orders),
                )
            )
        Payment.objects.bulk_create(payments, batch_size=5000)
        refunds = [
            Refund(
                order_id=ids[f"SOB{n:09d}"], amount=Decimal("9.90"), currency="CNY", reason="bench", status="paid",
                created_at=start + timedelta(days=5), paid_at=start + timedelta(days=6), requested_by=user,
            )
            for n in range(REFUNDS)
        ]
        Refund.objects.bulk_create(refunds, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {FIXTURE_TABLE} (version integer, orders integer)")
            cursor.execute(f"INSERT INTO {FIXTURE_TABLE} VALUES (%s, %s)", [FIXTURE_VERSION, n_orders])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"[{connection.vendor}] fixture built in {time.perf_counter() - started:.0f} s", flush=True)


# --- the settlement file ------------------------------------------------------------------------------


def write_statement(path: Path, n_lines: int, n_orders: int) -> None:
    """An Alipay 账务明细 of ``n_lines`` lines for the fixture's orders, in GBK."""
    from decimal import Decimal

    start, end = MONTH
    span = (end - start).total_seconds() - 3600
    refunds = min(REFUNDS, n_lines // 40)
    unknown = min(UNKNOWN, n_lines // 100)
    sales = min(int(n_orders * 145 / 150), n_lines - refunds - unknown - WITHDRAWALS - DUPLICATES)
    fees = max(n_lines - sales - refunds - unknown - WITHDRAWALS - DUPLICATES, 0)
    header = "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注"
    with path.open("w", encoding="gbk", newline="") as out:
        out.write("#支付宝账务明细查询\r\n#账号：[20880123456780156]\r\n")
        out.write("#起始日期：[2026年03月01日 00:00:00]   终止日期：[2026年04月01日 00:00:00]\r\n")
        out.write("#-----------------------------------------账务明细列表----------------------------------------\r\n")
        out.write(header + "\r\n")
        number = 0

        def row(order_id, income, expense, kind, remark=""):
            nonlocal number
            number += 1
            when = start + timedelta(hours=8) + timedelta(seconds=span * (number % n_lines) / n_lines)
            text = [f"2026{number:012d}", f"2026{number:012d}22", order_id, "宝贝", f"{when:%Y-%m-%d %H:%M:%S}", "buyer@x.cn"]
            line = ",".join(f"{c}\t" for c in text) + f",{income},{expense},0.00," + ",".join(f"{c}\t" for c in ("支付宝", kind, remark))
            out.write(line + "\r\n")
            return line

        for n in range(sales):
            amount = Decimal(19 + n % 500) + Decimal(n % 100) / 100
            if n % 50 == 7:
                amount -= Decimal("3.00")  # amount differs
            row(f"T200P{3_300_000_000_000 + n}", amount, "", "交易付款")
        for n in range(fees):
            row(f"T200P{3_300_000_000_000 + n % max(sales, 1)}", "", "0.58", "技术服务费")
        for n in range(refunds):
            row(f"T200P{3_300_000_000_000 + n}", "", "9.90", "交易退款")
        for n in range(unknown):
            row(f"T200P{9_900_000_000_000 + n}", "39.90", "", "交易付款")
        for _ in range(WITHDRAWALS):
            row("", "", "5000.00", "提现")
        last = row(f"T200P{3_300_000_000_000}", "0.01", "", "交易付款")
        for _ in range(DUPLICATES - 1):
            out.write(last + "\r\n")  # the same ledger entry listed again
        out.write("#-----------------------------------------账务明细列表结束------------------------------------\r\n")
        out.write("#导出时间：[2026年04月01日 09:00:00]\r\n")


# --- the phases, each in its own child -------------------------------------------------------------------


def phase_baseline(path: Path) -> dict:
    """csv.reader over the GBK file + bulk_create of the same rows, no matching."""
    import csv
    import io
    from decimal import Decimal

    from django.db import transaction

    from finance.models import SettlementBatch, SettlementLine

    started = time.perf_counter()
    with transaction.atomic():
        batch = SettlementBatch.objects.create(source="alipay", file_name="baseline", sha256="baseline", imported_at=MONTH[0])
        rows = []
        count = 0
        with path.open("rb") as binary:
            text = io.TextIOWrapper(binary, encoding="gb18030", newline="")
            reader = csv.reader(line for line in text if not line.startswith("#"))
            next(reader)
            for cells in reader:
                cells = [cell.strip() for cell in cells]
                income = Decimal(cells[6] or 0)
                expense = Decimal(cells[7] or 0)
                count += 1
                rows.append(
                    SettlementLine(
                        batch=batch, source="alipay", line_number=count, external_id=f"b{count}",
                        occurred_at=datetime.fromisoformat(cells[4]).replace(tzinfo=UTC), kind="sale",
                        order_reference=cells[2][5:], currency="CNY", amount=income - expense, fee=0,
                        net=income - expense, match_class="matched",
                    )
                )
                if len(rows) == 2000:
                    SettlementLine.objects.bulk_create(rows)
                    rows = []
        SettlementLine.objects.bulk_create(rows)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return {"seconds": seconds, "lines": count, "peak_mb": peak_mb()}


def phase_import(path: Path) -> dict:
    from finance.services import settlement_import

    started = time.perf_counter()
    with path.open("rb") as binary:
        result = settlement_import(actor=None, source="alipay", file=binary, file_name=path.name)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "lines": result.new_lines, "classes": result.by_class, "peak_mb": peak_mb()}


def phase_export(out: Path) -> dict:
    from django.utils import timezone

    from finance.reconciliation import reconciliation_workbook

    start, end = MONTH
    started = time.perf_counter()
    totals = reconciliation_workbook(
        source="alipay",
        date_from=timezone.localtime(start).date(),
        date_to=timezone.localtime(end).date(),
        output=str(out),
    )
    seconds = time.perf_counter() - started
    lines = sum(sums.lines for sums in totals.by_class.values())
    return {
        "seconds": seconds,
        "lines": lines,
        "not_settled": sum(s.lines for s in totals.not_settled.values()),
        "net": str(totals.net.get("CNY")),
        "size_mb": out.stat().st_size / 2**20,
        "peak_mb": peak_mb(),
    }


def vacuum() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE finance_settlementline")


def child_main(args) -> None:
    setup_django(args.url)
    path = Path(args.file)
    if args.phase == "build":
        build_fixture(args.orders)
        if not path.exists():
            write_statement(path, args.lines, args.orders)
        result = {}
    elif args.phase == "baseline":
        result = phase_baseline(path)
    elif args.phase == "import":
        from finance.models import SettlementBatch

        SettlementBatch.objects.all().delete()
        vacuum()  # the deleted lines' index entries would slow this run down: a live database is vacuumed
        result = phase_import(path)
    else:
        result = phase_export(OUT_DIR / f"reconciliation_{args.lines}.xlsx")
    Path(args.json_out).write_text(json.dumps(result))


def run_child(db_url: str, phase: str, args, path: Path) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [
            sys.executable, __file__, "--child", phase, "--url", db_url, "--orders", str(args.orders),
            "--lines", str(args.lines), "--file", str(path), "--json-out", out.name,
        ]
        subprocess.run(command, check=True)
        return json.loads(Path(out.name).read_text() or "{}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--orders", type=int, default=150_000)
    parser.add_argument("--runs", type=int, default=1, help="runs of each phase (the median is reported)")
    parser.add_argument("--child", choices=("build", "baseline", "import", "export"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--json-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.phase = args.child
        return child_main(args)
    if args.lines < 1000 or args.orders < 1000:
        parser.error("--lines and --orders must be at least 1,000")
    OUT_DIR.mkdir(exist_ok=True)
    path = OUT_DIR / f"alipay_statement_{args.lines}_{args.orders}.csv"
    report = {}
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        url = database_url(db, args.orders)
        run_child(url, "build", args, path)
        runs = {"baseline": [], "import": [], "export": []}
        for _ in range(args.runs):
            for phase in ("baseline", "import", "export"):  # interleaved, same machine state (GOTCHAS 15)
                runs[phase].append(run_child(url, phase, args, path))
        report[db] = runs
    print()
    print(f"Settlement reconciliation: an Alipay statement of {args.lines:,} lines ({path.stat().st_size / 2**20:.0f} MB, GBK) "
          f"against {args.orders:,} orders; median of {args.runs} run(s), each phase in a fresh process.")
    print("baseline = csv.reader + bulk_create of the same rows, unmatched; peak = the phase's max RSS (Django included).")
    for db, runs in report.items():
        base = statistics.median(r["seconds"] for r in runs["baseline"])
        imp = statistics.median(r["seconds"] for r in runs["import"])
        exp = statistics.median(r["seconds"] for r in runs["export"])
        last_import, last_export = runs["import"][-1], runs["export"][-1]
        peak = max(r["peak_mb"] for phase in ("import", "export") for r in runs[phase])
        total = imp + exp
        print(f"\n[{db}]")
        print(f"  baseline (read + bulk_create)  {base:6.1f} s  {args.lines / base:8,.0f} lines/s  peak {runs['baseline'][-1]['peak_mb']:5.0f} MB")
        print(f"  import + match                 {imp:6.1f} s  {args.lines / imp:8,.0f} lines/s  peak {last_import['peak_mb']:5.0f} MB"
              f"   classes {last_import['classes']}")
        print(f"  reconciliation sheet (XLSX)    {exp:6.1f} s  {last_export['lines'] / exp:8,.0f} lines/s  peak {last_export['peak_mb']:5.0f} MB"
              f"   {last_export['size_mb']:.1f} MB, {last_export['not_settled']:,} orders not settled, net {last_export['net']} CNY")
        verdict = "OK" if total <= TARGET_SECONDS and peak < TARGET_MB else "OVER TARGET"
        print(f"  import + sheet                 {total:6.1f} s  (target ≤ {TARGET_SECONDS} s)  peak {peak:.0f} MB (target < {TARGET_MB} MB)"
              f"  ratio to baseline {total / base:.2f}×  {verdict}")


if __name__ == "__main__":
    main()
