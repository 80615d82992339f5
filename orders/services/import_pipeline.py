"""One pipeline for every order file: parse → validate → compare with what is
stored → write through the services, a chunk of orders at a time.

The same run makes the preview (``apply=False``: nothing is written, the
counts and samples say what would happen) and the import (``apply=True``).
The admin's upload → preview → confirm and ``manage.py import_orders`` both
come here through ``orders.services.import_batches.import_batch_run``.

Why not django-import-export's import for these files: a Taobao order needs
two files joined by 订单编号; an order is several rows (its lines) that land
together or not at all; statuses move through the transition services rather
than being set; the encodings must be detected per file (GOTCHAS 1); and its
row-by-row path imports 300–600 rows/s and falls back to that on re-imports
(GOTCHAS 6, 12), far from the 3,000 orders/s new and 10,000 unchanged this
pipeline is measured at (benchmarks/import_orders.py). django-import-export
does what it is good at here: the template's columns and the exports.
"""

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import DatabaseError, IntegrityError
from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.files import FileProblem
from ..models import Channel, ExceptionReason, Order, OrderStatus
from ..selectors import orders_by_platform_id
from ..importers.base import NamedFile, OrderFormat, Parsed, Rejected, RowError
from ..importers.progress import ReadProgress
from ..importers.registry import unrecognised_files_problem
from . import imports as import_services

CHUNK = 2000  # orders per transaction of the bulk path
SAMPLES = 50  # created / changed orders kept to show in the preview


@dataclass(frozen=True)
class Current:
    """What the comparison needs of a stored order."""

    id: int
    platform_order_id: str
    number: str
    status: str
    exception_reason: str
    tracking_number: str
    buyer_nick: str
    placed_at: datetime
    goods_amount: Decimal
    shipping_amount: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    split_from_id: int | None
    merged_into_id: int | None


CURRENT_FIELDS = [field.name for field in Current.__dataclass_fields__.values()]


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected_orders: int = 0
    rejected_rows: int = 0
    unknown_sku_orders: int = 0
    samples: dict = field(default_factory=lambda: {"created": [], "changed": []})

    def counts(self) -> dict:
        return {
            "created_count": self.created,
            "updated_count": self.updated,
            "unchanged_count": self.unchanged,
            "rejected_orders": self.rejected_orders,
            "rejected_rows": self.rejected_rows,
        }


def _chunks(records: Iterator, size: int) -> Iterator[list]:
    """Records in lists of about ``size`` orders (rejections ride along)."""
    chunk, orders = [], 0
    for record in records:
        chunk.append(record)
        if isinstance(record, Parsed):
            orders += 1
            if orders >= size:
                yield chunk
                chunk, orders = [], 0
    if chunk:
        yield chunk


def count_rejections(outcome: Outcome, rejected: list[Rejected]) -> None:
    outcome.rejected_rows += sum(len(record.rows) for record in rejected)
    outcome.rejected_orders += len(
        {record.platform_order_id or id(record) for record in rejected if record.order_rejected}
    )


@contextmanager
def fewer_collections(threshold: int = 50_000):
    """An import allocates ~60 objects per order that live until their chunk is
    written; with CPython's default threshold (700 allocations) the cyclic
    garbage collector scans them again and again: 12% of an import's time,
    measured here. Raised for the run, restored after; cycles are still collected."""
    previous = gc.get_threshold()
    gc.set_threshold(max(threshold, previous[0]), *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def run_chunks(runner, chunks, skip_chunks: int) -> bool:
    with fewer_collections():
        for index, chunk in enumerate(chunks):
            if index < skip_chunks:
                continue
            rejected = runner.process_chunk(chunk)
            count_rejections(runner.outcome, rejected)
            if runner.on_chunk and runner.on_chunk(runner, rejected, index + 1) is False:
                return False
    return True


def _split_or_merged(stored) -> set[int]:
    """The ids of these orders whose money a split or a merge has moved."""
    ids = {current.id for current in stored}
    moved = {current.id for current in stored if current.split_from_id or current.merged_into_id}
    relatives = Q(split_from_id__in=ids - moved) | Q(merged_into_id__in=ids - moved)
    if ids - moved:
        for parent_ids in Order.objects.filter(relatives).values_list("split_from_id", "merged_into_id"):
            moved.update(parent_id for parent_id in parent_ids if parent_id in ids)
    return moved


class OrderImport:
    """One run over one batch's files."""

    def __init__(
        self,
        *,
        fmt: OrderFormat,
        files: list[NamedFile],
        channel: Channel,
        actor,
        apply: bool,
        batch_id: int | None = None,
        on_chunk: Callable[["OrderImport", list[Rejected], int], bool | None] | None = None,
        outcome: Outcome | None = None,
    ):
        self.fmt, self.files, self.channel, self.actor, self.apply = fmt, files, channel, actor, apply
        self.batch_id, self.on_chunk = batch_id, on_chunk
        self.progress = ReadProgress()
        self.outcome = outcome or Outcome()

    def run(self, *, skip_chunks: int = 0) -> bool:
        """Read and process the files; True when read to the end. The first
        ``skip_chunks`` chunks (done by an earlier run) are read, not processed;
        ``on_chunk(run, rejected, chunks_done)`` returning False stops after that chunk."""
        records = self.fmt.read(self.files, channel=self.channel, progress=self.progress)
        try:
            return run_chunks(self, _chunks(records, CHUNK), skip_chunks)
        except FileProblem as problem:
            if all(named.name in self.progress.headers for named in self.files):
                raise  # a problem further into a file the format recognised
            explained = unrecognised_files_problem(self.fmt, self.files, self.progress.headers)
            raise FileProblem(explained or str(problem)) from problem

    # --- one chunk ------------------------------------------------------------------

    def process_chunk(self, chunk: list) -> list[Rejected]:
        rejected: list[Rejected] = []
        parsed: list[Parsed] = []
        first_line: dict[str, int] = {}
        for record in chunk:
            if isinstance(record, Rejected):
                rejected.append(record)
                continue
            platform_id = record.platform_order_id
            if platform_id in first_line:
                rejected.append(
                    Rejected(
                        record.rows,
                        _("Order %(id)s appears twice in the file; the row on line %(line)s was used.")
                        % {"id": platform_id, "line": first_line[platform_id]},
                        platform_id,
                    )
                )
                continue
            first_line[platform_id] = record.rows[0].line
            parsed.append(record)

        stored = {
            row[1]: Current(*row) for row in orders_by_platform_id(self.channel, first_line, tuple(CURRENT_FIELDS))
        }
        reshaped = _split_or_merged(stored.values())
        new, known = [], []
        for record in parsed:
            current = stored.get(record.platform_order_id)
            if current is not None:
                try:
                    placed_at, buyer = self.fmt.placed(record)
                    self._refuse_conflict(current, record, placed_at=placed_at, buyer=buyer)
                    steps = import_services.plan_update(current, record)
                except (DomainError, RowError) as error:
                    rejected.append(Rejected(record.rows, str(error), record.platform_order_id))
                    continue
                if not steps:
                    self.outcome.unchanged += 1
                    continue
            try:
                order = record.order
                if current is not None and current.id not in reshaped:  # built now: its total can be compared too
                    total = order.total_amount
                    self._refuse_conflict(current, record, placed_at=None, buyer="", total=total)
            except (DomainError, RowError) as error:
                rejected.append(Rejected(record.rows, str(error), record.platform_order_id))
                continue
            if current is None and not order.lines and record.no_lines_reason:
                problems = [str(record.no_lines_reason)]
            else:
                problems = import_services.platform_order_problems(order, new=current is None)
            if problems:
                rejected.append(Rejected(record.rows, " ".join(problems), record.platform_order_id))
                continue
            if current is None:
                new.append(record)
            else:
                known.append((record, current, steps))

        self._create(new, rejected)
        for record, current, steps in known:
            self._update(record, current, steps, rejected)
        return rejected

    @staticmethod
    def _refuse_conflict(current: Current, record: Parsed, **facts) -> None:
        conflict = import_services.platform_order_conflict(current, platform_order_id=record.platform_order_id, **facts)
        if conflict:
            raise DomainError(conflict)

    def _create(self, new: list[Parsed], rejected: list[Rejected]) -> None:
        if not new:
            return
        if self.apply:
            created = self._write_new(new, rejected)
            new = [record for record, _order in created]
            unknown = [
                order.exception_note.split(", ") if order.exception_reason == ExceptionReason.UNKNOWN_SKU else []
                for _record, order in created
            ]
        else:
            try:
                refused = import_services.orders_import_check(
                    actor=self.actor, channel=self.channel, orders=[record.order for record in new]
                )
            except DomainError as error:  # the whole chunk (the role may not import)
                refused = {record.platform_order_id: str(error) for record in new}
            for record in new:
                if record.platform_order_id in refused:
                    rejected.append(Rejected(record.rows, refused[record.platform_order_id], record.platform_order_id))
            new = [record for record in new if record.platform_order_id not in refused]
            resolver = import_services.SkuResolver(self.channel, [line for record in new for line in record.order.lines])
            unknown = []
            for record in new:
                codes = [code for line in record.order.lines for sku_id, code in [resolver.resolve(line)] if sku_id is None]
                unknown.append(codes if record.state in import_services.OPEN_STATES else [])
        for record, unknown_codes in zip(new, unknown, strict=True):
            self.outcome.created += 1
            if unknown_codes:
                self.outcome.unknown_sku_orders += 1
            if len(self.outcome.samples["created"]) < SAMPLES:
                order = record.order
                self.outcome.samples["created"].append(
                    {
                        "id": order.platform_order_id,
                        "state": order.state,  # codes: the page shows them in its reader's language
                        "lines": len(order.lines),
                        "total": str(order.total_amount),
                        "currency": order.details.get("currency") or self.channel.default_currency,
                        "recipient": order.details.get("ship_name", ""),
                        "unknown_skus": unknown_codes,
                    }
                )

    def _write_new(self, new: list[Parsed], rejected: list[Rejected]) -> list[tuple[Parsed, Order]]:
        """Create the chunk's new orders in one transaction; if one of them cannot be
        written, write them one by one to keep the others and say which."""
        try:
            orders = import_services.orders_import_new(
                actor=self.actor,
                channel=self.channel,
                orders=[record.order for record in new],
                batch_id=self.batch_id,
                checked=True,  # process_chunk ran platform_order_problems on each
            )
            return list(zip(new, orders, strict=True))
        except (DomainError, DatabaseError):
            pass
        created = []
        for record in new:
            try:
                (order,) = import_services.orders_import_new(
                    actor=self.actor, channel=self.channel, orders=[record.order], batch_id=self.batch_id, checked=True
                )
            except DomainError as error:
                rejected.append(Rejected(record.rows, str(error), record.platform_order_id))
            except IntegrityError:
                rejected.append(
                    Rejected(
                        record.rows,
                        _("Order %(id)s was created by another import meanwhile; import the file again to update it.")
                        % {"id": record.platform_order_id},
                        record.platform_order_id,
                    )
                )
            else:
                created.append((record, order))
        return created

    def _update(self, record: Parsed, current: Current, steps: list[str], rejected: list[Rejected]) -> None:
        try:
            if self.apply:
                steps = import_services.order_import_update(
                    actor=self.actor, order_id=current.id, incoming=record.order, batch_id=self.batch_id, checked=True
                )
            else:
                steps = import_services.order_import_preview(
                    actor=self.actor, order_id=current.id, incoming=record.order, checked=True
                )
        except DomainError as error:
            rejected.append(Rejected(record.rows, str(error), record.order.platform_order_id))
            return
        if not steps:  # another user moved it meanwhile to where the file says
            self.outcome.unchanged += 1
            return
        self.outcome.updated += 1
        if len(self.outcome.samples["changed"]) < SAMPLES:
            self.outcome.samples["changed"].append(
                {
                    "id": record.order.platform_order_id,
                    "number": current.number,
                    "status": current.status,
                    "steps": list(steps),
                }
            )

