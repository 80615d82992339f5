"""Tracking numbers in bulk: a file of (order, carrier, tracking number) ships
those orders.

The order is our number (``SO…``) or the platform's order id (within the
batch's channel, if one is chosen). Columns are found by any of their usual
names, English or Chinese (order / 订单号 / 订单编号, carrier / 快递公司 /
物流公司, tracking number / 运单号 / 快递单号 / 物流单号). A packed order is
shipped (``order_ship``: its reservation is consumed); a shipped one with
another number gets the new one (``order_update_tracking``); the same number
again changes nothing; any other status is reported with the reason.
"""

from collections.abc import Callable
from dataclasses import dataclass
from itertools import batched

from django.db.models import Q
from django.utils.translation import gettext as _

from .. import events
from core.errors import DomainError
from ..models import Channel, Order, OrderStatus
from ..importers.base import Col, NamedFile, Rejected, SourceRow, duplicate_reason
from ..importers.cleaning import tracking_number as clean_tracking_number
from ..importers.progress import ReadProgress
from .import_pipeline import Outcome, run_chunks
from .lifecycle import order_ship
from .outside import TRACKING_CORRECTABLE_STATUSES, order_update_tracking
from core.files import FileProblem, header_names, read_rows
from core.limits import model_problems

ORDER_COLUMNS = tuple(
    Col(name) for name in ("order", "order number", "platform order id", "订单号", "订单编号", "平台订单号", "主订单编号")
)
CARRIER_COLUMNS = tuple(Col(name) for name in ("carrier", "快递公司", "物流公司", "承运商"))
TRACKING_COLUMNS = tuple(Col(name) for name in ("tracking number", "运单号", "快递单号", "物流单号"))
CHUNK = 2000
ORDER_NUMBER_PREFIX = "SO"


@dataclass
class TrackingRow:
    reference: str
    carrier: str
    tracking_number: str
    row: SourceRow


def _pick(names: set[str], candidates: tuple[Col, ...]) -> Col | None:
    return next((column for column in candidates if column in names), None)


def read(named: NamedFile, progress: ReadProgress):
    names = set(header_names(named.binary))
    columns = [_pick(names, candidates) for candidates in (ORDER_COLUMNS, CARRIER_COLUMNS, TRACKING_COLUMNS)]
    if None in columns:
        raise FileProblem(
            _("A tracking file needs the columns order (or 订单号), carrier (or 快递公司) and tracking number (or 运单号).")
        )
    order_column, carrier_column, tracking_column = columns
    for row in read_rows(
        named.binary, required=tuple(column.label for column in columns), on_header=progress.header_of(named.name)
    ):
        progress.read(named.name, row)
        yield TrackingRow(
            reference=row.cells.get(order_column, ""),
            carrier=row.cells.get(carrier_column, ""),
            tracking_number=clean_tracking_number(row.cells.get(tracking_column, "")),
            row=SourceRow(named.name, row.line, row.cells),
        )


class TrackingImport:
    """One run over a tracking file; the same interface as pipeline.OrderImport."""

    def __init__(
        self,
        *,
        files: list[NamedFile],
        channel: Channel | None,
        actor,
        apply: bool,
        batch_id: int | None = None,
        on_chunk: Callable | None = None,
        outcome: Outcome | None = None,
    ):
        if len(files) != 1:
            raise FileProblem(_("Upload one tracking file at a time."))
        self.file, self.channel, self.actor, self.apply = files[0], channel, actor, apply
        self.batch_id, self.on_chunk = batch_id, on_chunk
        self.progress = ReadProgress()
        self.outcome = outcome or Outcome()

    def run(self, *, skip_chunks: int = 0) -> bool:
        return run_chunks(self, batched(read(self.file, self.progress), CHUNK), skip_chunks)

    def _orders(self, rows: list[TrackingRow]) -> dict[str, list[Order]]:
        numbers = {row.reference.upper() for row in rows if row.reference.upper().startswith(ORDER_NUMBER_PREFIX)}
        platform_ids = {row.reference for row in rows}
        by_platform_id = Q(platform_order_id__in=platform_ids)
        if self.channel is not None:
            by_platform_id &= Q(channel=self.channel)
        found: dict[str, list[Order]] = {}
        for order in Order.objects.filter(Q(number__in=numbers) | by_platform_id).only(
            "id", "number", "platform_order_id", "status", "tracking_number", "carrier"
        ):
            if order.number in numbers:
                found.setdefault(order.number, []).append(order)
            if order.platform_order_id in platform_ids:
                found.setdefault(order.platform_order_id, []).append(order)
        return found

    def process_chunk(self, chunk: tuple[TrackingRow, ...]) -> list[Rejected]:
        rejected: list[Rejected] = []
        found = self._orders(chunk)
        first_line: dict[int, TrackingRow] = {}
        for item in chunk:
            reference = item.reference.upper() if item.reference.upper().startswith(ORDER_NUMBER_PREFIX) else item.reference

            def reject(reason, item=item):
                rejected.append(Rejected([item.row], reason, item.reference))

            if not item.reference:
                reject(_("The order column is empty."))
                continue
            if not item.tracking_number:
                reject(_("The tracking number is empty."))
                continue
            problems = model_problems(Order, {"tracking_number": item.tracking_number, "carrier": item.carrier})
            if problems:
                reject(" ".join(problems))
                continue
            orders = found.get(reference, [])
            if not orders:
                reject(_("No order %(order)s.") % {"order": item.reference})
                continue
            if len(orders) > 1:
                reject(
                    _("%(order)s is an order of several channels (%(numbers)s): choose the channel, or use our order number.")
                    % {"order": item.reference, "numbers": ", ".join(order.number for order in orders)}
                )
                continue
            order = orders[0]
            earlier = first_line.get(order.pk)
            if earlier is not None:
                if earlier.tracking_number == item.tracking_number:
                    rejected.append(
                        Rejected(
                            [item.row],
                            duplicate_reason(earlier.row.line),
                            item.reference,
                            order_rejected=False,
                        )
                    )
                else:
                    reject(
                        _("%(order)s is on line %(line)s already with another tracking number.")
                        % {"order": order.number, "line": earlier.row.line}
                    )
                continue
            first_line[order.pk] = item
            self._apply(order, item, reject)
        return rejected

    def _apply(self, order: Order, item: TrackingRow, reject) -> None:
        if order.status in TRACKING_CORRECTABLE_STATUSES and order.tracking_number == item.tracking_number:
            self.outcome.unchanged += 1
            return
        if order.status == OrderStatus.PACKED:
            step = "ship"
        elif order.status in TRACKING_CORRECTABLE_STATUSES:
            step = "tracking"
        else:
            reject(
                _("%(order)s is %(status)s: only packed orders are shipped from a tracking file.")
                % {"order": order.number, "status": order.get_status_display()}
            )
            return
        carrier = item.carrier or order.carrier
        if step == "ship" and not carrier:
            reject(_("%(order)s: the carrier is empty.") % {"order": order.number})
            return
        if self.apply:
            try:
                with events.tagged(batch=self.batch_id):
                    if step == "ship":
                        order_ship(
                            actor=self.actor, order_id=order.pk, carrier=carrier, tracking_number=item.tracking_number
                        )
                    else:
                        order_update_tracking(
                            actor=self.actor, order_id=order.pk, carrier=carrier, tracking_number=item.tracking_number
                        )
            except DomainError as error:
                reject(str(error))
                return
        elif self.actor is not None and not self.actor.has_perm("orders.ship_order"):
            reject(_("%(order)s: your role may not ship orders.") % {"order": order.number})
            return
        self.outcome.updated += 1
        if len(self.outcome.samples["changed"]) < 50:
            self.outcome.samples["changed"].append(
                {
                    "id": item.reference,
                    "number": order.number,
                    "status": str(OrderStatus(order.status).label),
                    "steps": [_("shipped from our warehouse") if step == "ship" else _("tracking number changed")],
                    "tracking": item.tracking_number,
                }
            )

