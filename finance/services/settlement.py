"""Importing a platform's settlement file: every line matched to an order, a
refund or a fee, and classed (matched, amount differs, order unknown,
duplicate line, fee/commission, other), in one transaction: the whole file or
nothing. Importing the same file again changes nothing; a later file that
repeats lines already imported adds only its new ones.

The file is streamed: lines are parsed, matched and written in chunks, so a
file of hundreds of thousands of lines never sits in memory.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import batched

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bulk_insert import insert_values
from core.errors import DomainError, NotPermitted
from core.files import FileProblem, opened_binary
from orders.models import Channel, Order, Platform

from .. import locks
from ..importers import PARSERS, FileFacts, ParsedLine, RowProblem
from ..models import (
    MatchClass,
    Payment,
    PaymentMethod,
    Refund,
    SettlementBatch,
    SettlementKind,
    SettlementLine,
    SettlementSource,
)
from ..money import ZERO, to_cent
from .periods import closed_months, month_of

CHUNK = 2000  # lines matched and written together (well under SQLite's variable limit, GOTCHAS 5)
SHOWN_PROBLEMS = 20


@dataclass(frozen=True)
class SourceScope:
    """Which of our orders a source settles: by the channel's platform, or by how
    the order was paid (a manual order paid by WeChat Pay, say)."""

    platforms: tuple[str, ...]
    payment_method: str = ""
    # Each shop numbers its orders from the same start (Shopify's #1001): a file
    # is matched only to the orders of the shop it is from.
    order_ids_per_shop: bool = False

    def orders(self, channel=None) -> Q:
        if channel is not None:
            return Q(channel=channel)
        query = Q(channel__platform__in=self.platforms)
        if self.payment_method:
            query |= Q(payments__method=self.payment_method)
        return query

    def shops(self):
        return Channel.objects.filter(platform__in=self.platforms, is_active=True)

    def payments(self) -> Q:
        query = Q(order__channel__platform__in=self.platforms)
        if self.payment_method:
            query |= Q(method=self.payment_method)
        return query


SCOPES = {
    SettlementSource.ALIPAY: SourceScope((Platform.TAOBAO, Platform.TMALL), PaymentMethod.ALIPAY),
    # WeChat Pay settles our own shops' orders (mini-program, site, manual) and whatever was paid by WeChat.
    SettlementSource.WECHAT: SourceScope((Platform.OTHER, Platform.MANUAL), PaymentMethod.WECHAT),
    SettlementSource.SHOPIFY: SourceScope((Platform.SHOPIFY,), order_ids_per_shop=True),
    SettlementSource.AMAZON: SourceScope((Platform.AMAZON,)),
}


@dataclass
class ImportResult:
    batch: SettlementBatch | None
    created: bool
    new_lines: int = 0
    skipped_lines: int = 0
    by_class: dict[str, int] = field(default_factory=dict)
    message: str = ""


def _sha256(binary) -> str:
    digest = hashlib.sha256()
    binary.seek(0)
    while chunk := binary.read(1 << 20):
        digest.update(chunk)
    binary.seek(0)
    return digest.hexdigest()


@dataclass
class OrderFacts:
    pk: int
    currency: str
    paid: Decimal


class Matcher:
    """Matches parsed lines to our orders and refunds, chunk by chunk, and
    remembers what this file has matched so far (duplicates, refunds used)."""

    def __init__(self, source: str, channel=None):
        self.source = source
        self.scope = SCOPES[source]
        self.channel = channel
        self.keys_in_file: set[str] = set()
        self.sale_of_order: dict[int, str] = {}  # order id → external id of the sale line that settled it
        self.refunds_used: set[int] = set()
        # Read before this file writes a line: with no earlier lines (a first import) the
        # per-chunk lookups of earlier lines find nothing and are skipped; this file's own
        # repeats are caught in memory.
        self.earlier_lines = SettlementLine.objects.exists()
        self.earlier_lines_of_source = self.earlier_lines and SettlementLine.objects.filter(source=source).exists()

    # --- lookups, one query each per chunk -----------------------------------

    def _orders(self, lines: list[ParsedLine]) -> dict[str, OrderFacts]:
        found: dict[str, OrderFacts] = {}
        references = {line.order_reference for line in lines if line.order_reference}
        columns = ("pk", "currency", "paid_amount")
        if references:
            rows = (
                Order.objects.filter(self.scope.orders(self.channel), platform_order_id__any=references)
                .distinct()
                .values_list("platform_order_id", *columns)
            )
            for reference, *facts in rows.order_by("pk"):
                found.setdefault(reference, OrderFacts(*facts))
        missing = {reference for reference in references if reference not in found}
        if missing:
            for number, *facts in Order.objects.filter(number__any=missing).order_by().values_list("number", *columns):
                found[number] = OrderFacts(*facts)
        by_payment = {line.payment_reference for line in lines if line.payment_reference and line.order_reference not in found}
        if by_payment and self.scope.payment_method:
            payments = Payment.objects.filter(reference__any=by_payment, method=self.scope.payment_method).order_by()
            for reference, *facts in payments.values_list("reference", "order__pk", "order__currency", "order__paid_amount"):
                found.setdefault(f"payment:{reference}", OrderFacts(*facts))
        return found

    def _already_imported(self, lines: list[ParsedLine]) -> set[str]:
        if not self.earlier_lines_of_source:
            return set()
        keys = {line.external_id for line in lines}
        # Exactly the condition of the unique index on (external_id, source), so that it is used.
        earlier = SettlementLine.objects.filter(external_id__any=keys).exclude(match_class=MatchClass.DUPLICATE)
        return {key for key, source in earlier.order_by().values_list("external_id", "source") if source == self.source}

    def _sales_before(self, order_ids: set[int]) -> None:
        if order_ids and self.earlier_lines:
            earlier = (
                SettlementLine.objects.filter(order_id__any=order_ids, kind=SettlementKind.SALE)
                .exclude(match_class=MatchClass.DUPLICATE)
                .values_list("order_id", "external_id")
            )
            for order_id, external_id in earlier:
                self.sale_of_order.setdefault(order_id, external_id)

    def _refunds(self, order_ids: set[int]) -> dict[int, list[tuple[int, Decimal]]]:
        if not order_ids:
            return {}
        refunds = defaultdict(list)
        live = Refund.objects.live().filter(order_id__any=order_ids).order_by("pk")
        for pk, order_id, amount in live.values_list("pk", "order_id", "amount"):
            refunds[order_id].append((pk, amount))
        if not self.earlier_lines:
            return refunds
        used = SettlementLine.objects.filter(refund__order_id__any=order_ids).values_list("refund_id", flat=True)
        self.refunds_used.update(used)
        return refunds

    # --- classing ------------------------------------------------------------------

    def match(self, batch: SettlementBatch, lines: list[ParsedLine]) -> tuple[list[tuple], int]:
        """The chunk's rows to write (in COLUMNS order), and how many lines were imported before."""
        # Lines of earlier files are skipped; this file's own repeats are classed as duplicates.
        imported = self._already_imported(lines) - self.keys_in_file
        fresh = [line for line in lines if line.external_id not in imported]
        orders = self._orders(fresh)
        paired = [
            (line, orders.get(line.order_reference) or orders.get(f"payment:{line.payment_reference}"))
            for line in fresh
        ]
        self._sales_before({order.pk for line, order in paired if order and line.kind == SettlementKind.SALE})
        refunds = self._refunds({order.pk for line, order in paired if order and line.kind == SettlementKind.REFUND})
        rows = []
        for line, order in paired:
            match_class, expected, difference, refund_id, note = self._class_of(line, order, refunds)
            rows.append(
                (
                    batch.pk,
                    self.source,
                    line.line_number,
                    line.external_id,
                    line.occurred_at,
                    line.kind,
                    line.description,
                    line.order_reference,
                    order.pk if order else None,
                    refund_id,
                    line.currency,
                    line.amount,
                    line.fee,
                    line.net,
                    expected,
                    difference,
                    match_class,
                    note,
                )
            )
        return rows, len(lines) - len(fresh)

    def _class_of(self, line: ParsedLine, order: OrderFacts | None, refunds) -> tuple:
        """(class, expected, difference, refund id, note) of one line."""
        if line.external_id in self.keys_in_file:
            return MatchClass.DUPLICATE, None, None, None, _("The file lists this transaction twice.")
        self.keys_in_file.add(line.external_id)
        if line.kind == SettlementKind.FEE:
            return MatchClass.FEE, None, None, None, ""
        if line.kind == SettlementKind.OTHER:
            return MatchClass.OTHER, None, None, None, ""
        if order is None:
            return MatchClass.ORDER_UNKNOWN, None, None, None, ""
        if line.currency != order.currency:
            note = _("In %(line)s; the order is in %(order)s.") % {"line": line.currency, "order": order.currency}
            return MatchClass.AMOUNT_DIFFERS, None, None, None, note
        if line.kind == SettlementKind.SALE:
            return self._class_sale(line, order)
        return self._class_refund(line, refunds.get(order.pk, []))

    def _class_sale(self, line: ParsedLine, order: OrderFacts) -> tuple:
        settled_by = self.sale_of_order.get(order.pk)
        if settled_by is not None:
            note = _("The order was settled already by %(line)s.") % {"line": settled_by}
            return MatchClass.DUPLICATE, ZERO, line.amount, None, note
        self.sale_of_order[order.pk] = line.external_id
        difference = to_cent(line.amount - order.paid)
        if difference == 0:
            return MatchClass.MATCHED, order.paid, None, None, ""
        return MatchClass.AMOUNT_DIFFERS, order.paid, difference, None, ""

    def _class_refund(self, line: ParsedLine, refunds) -> tuple:
        waiting = [(pk, amount) for pk, amount in refunds if pk not in self.refunds_used]
        same = next((pk for pk, amount in waiting if -amount == line.amount), None)
        if same is not None:
            self.refunds_used.add(same)
            return MatchClass.MATCHED, line.amount, None, same, ""
        if waiting:
            pk, amount = waiting[0]
            self.refunds_used.add(pk)
            return MatchClass.AMOUNT_DIFFERS, -amount, to_cent(line.amount + amount), pk, ""
        return MatchClass.AMOUNT_DIFFERS, ZERO, line.amount, None, _("No refund of this order is recorded.")


# Settlement lines are written as plain values (core.bulk_insert.insert_values): bulk_create
# spent 80% of an import building its SQL (0.2 ms a line; measured in benchmarks/reconcile.py),
# and building an instance of each line would cost more than writing it.
COLUMNS = (
    "batch_id",
    "source",
    "line_number",
    "external_id",
    "occurred_at",
    "kind",
    "description",
    "order_reference",
    "order_id",
    "refund_id",
    "currency",
    "amount",
    "fee",
    "net",
    "expected",
    "difference",
    "match_class",
    "note",
)
CLASS = COLUMNS.index("match_class")


@transaction.atomic
def settlement_import(*, actor, source: str, file, file_name: str = "", channel=None, at=None) -> ImportResult:
    """Import one settlement file of ``source`` (a path, bytes or an uploaded file).
    ``channel``: the shop the file is from, needed where each shop numbers its
    orders on its own and there is more than one such shop."""
    if actor is not None and not actor.has_perm("finance.add_settlementbatch"):
        raise NotPermitted(_("Your role may not import settlement files."))
    if source not in PARSERS:
        raise DomainError(_("Unknown settlement source: %(source)s") % {"source": source})
    scope = SCOPES[source]
    if channel is not None and channel.platform not in scope.platforms:
        raise DomainError(
            _("%(shop)s is not a shop of %(source)s.") % {"shop": channel, "source": SettlementSource(source).label}
        )
    if channel is None and scope.order_ids_per_shop and scope.shops().count() > 1:
        raise DomainError(
            _(
                "Choose the shop this file is from: each %(source)s shop numbers its orders from the same start, "
                "so the file's order numbers could be another shop's."
            )
            % {"source": SettlementSource(source).label}
        )
    file_name = file_name or getattr(file, "name", "") or str(file)[:255]
    with opened_binary(file) as binary:
        return _settlement_import_file(binary, actor=actor, source=source, file_name=file_name, channel=channel, at=at)


def _settlement_import_file(binary, *, actor, source: str, file_name: str, channel, at) -> ImportResult:
    digest = _sha256(binary)
    # One import per source at a time: a second one waits, then finds what the first wrote
    # (the same file: imported already; an overlapping file: those lines skipped).
    locks.settlement_imports_for_update(source)
    earlier = SettlementBatch.objects.filter(source=source, sha256=digest).first()
    if earlier is not None:
        return ImportResult(
            earlier,
            created=False,
            message=_("This file was imported already on %(date)s (%(file)s); nothing changed.")
            % {"date": timezone.localtime(earlier.imported_at).strftime("%Y-%m-%d %H:%M"), "file": earlier.file_name},
        )
    at = at or timezone.now()
    batch = SettlementBatch.objects.create(
        source=source, file_name=file_name[:255], sha256=digest, imported_at=at, imported_by=actor, channel=channel
    )
    matcher = Matcher(source, channel)
    closed = closed_months()
    facts = FileFacts()
    problems: list[RowProblem] = []
    counts: dict[str, int] = defaultdict(int)
    skipped = 0
    first_at = last_at = None
    for chunk in batched(PARSERS[source](binary, facts), CHUNK):
        lines = []
        for item in chunk:
            if isinstance(item, RowProblem):
                problems.append(item)
                continue
            if closed and month_of(item.occurred_at) in closed:
                problems.append(
                    RowProblem(
                        item.line_number,
                        _("dated %(date)s, in %(period)s, which Finance has closed; a correction belongs in an open period.")
                        % {"date": timezone.localtime(item.occurred_at).strftime("%Y-%m-%d"), "period": f"{month_of(item.occurred_at):%Y-%m}"},
                    )
                )
                continue
            lines.append(item)
            first_at = min(first_at, item.occurred_at) if first_at else item.occurred_at
            last_at = max(last_at, item.occurred_at) if last_at else item.occurred_at
        if problems or not lines:
            continue  # the file will be refused: keep reading only to report every bad line
        rows, already = matcher.match(batch, lines)
        skipped += already
        insert_values(SettlementLine, COLUMNS, rows)
        for row in rows:
            counts[row[CLASS]] += 1
    if problems:
        shown = "; ".join(
            _("line %(line)s: %(problem)s") % {"line": problem.line_number, "problem": problem.message}
            for problem in problems[:SHOWN_PROBLEMS]
        )
        more = len(problems) - SHOWN_PROBLEMS
        raise FileProblem(
            _("Nothing was imported: %(count)s lines cannot be used. %(shown)s%(more)s")
            % {
                "count": len(problems),
                "shown": shown,
                "more": (_(" … and %(more)s more.") % {"more": more}) if more > 0 else "",
            }
        )
    if facts.disagreements:
        raise FileProblem(
            _("Nothing was imported: the file does not add up to its own summary. %(disagreements)s")
            % {"disagreements": " ".join(facts.disagreements)}
        )
    new_lines = sum(counts.values())
    if not new_lines:
        if skipped:
            transaction.set_rollback(True)
            return ImportResult(
                None,
                created=False,
                skipped_lines=skipped,
                message=_("All %(count)s lines of this file were imported before; nothing changed.") % {"count": skipped},
            )
        raise FileProblem(_("The file has no settlement lines."))
    batch.line_count, batch.skipped_count = new_lines, skipped
    batch.first_at, batch.last_at = first_at, last_at
    batch.save(update_fields=["line_count", "skipped_count", "first_at", "last_at"])
    return ImportResult(batch, created=True, new_lines=new_lines, skipped_lines=skipped, by_class=dict(counts))
