"""Stock levels from a file (CSV, TSV or XLSX, UTF-8 or GB18030): a stock count
for many SKUs at once. Every row is checked before anything is written; one
bad row refuses the whole file, with every problem listed by line."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, require_permission
from core.files import FileProblem, read_rows
from core.limits import field_problem, value_problem

from .. import locks
from ..models import SKU, MovementKind, ReferenceType, StockLevel, Warehouse
from .arrivals import stock_arrived
from .stock import _count

# Normalised header names each column may have (core.files.normalise_header).
WAREHOUSE_COLUMNS = ("warehouse", "仓库", "仓库编码")
SKU_COLUMNS = ("sku", "skucode", "sku_code", "商家编码", "sku编码", "货号")
BARCODE_COLUMNS = ("barcode", "条码", "条形码")
ON_HAND_COLUMNS = ("onhand", "on_hand", "quantity", "qty", "counted", "库存", "数量", "实际库存", "盘点数量")
SAFETY_COLUMNS = ("safetystock", "safety_stock", "safety", "安全库存")
LOCATION_COLUMNS = ("location", "bin", "binlocation", "bin_location", "库位", "货位")


class StockImportProblems(DomainError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            _("The file was not imported; nothing changed. %(count)s problems: %(problems)s")
            % {"count": len(problems), "problems": " ".join(problems[:20])}
        )


@dataclass
class StockImportResult:
    rows: int = 0
    changed: int = 0
    unchanged: int = 0
    settings_changed: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    line: int
    warehouse: Warehouse
    sku: SKU
    on_hand: int | None
    safety_stock: int | None
    location: str | None


def _whole_number(text: str, line: int, field_name: str, problems: list[str]) -> int | None:
    field = StockLevel._meta.get_field(field_name)
    try:
        value = int(text.replace(",", "").removesuffix(".0"))
    except ValueError:
        value = -1
    if value < 0:
        problems.append(
            _("Line %(line)s: %(column)s “%(text)s” is not a whole number of units.")
            % {"line": line, "column": field.verbose_name, "text": text}
        )
        return None
    if problem := value_problem(field, value):
        problems.append(
            _("Line %(line)s: %(column)s: %(problem)s") % {"line": line, "column": field.verbose_name, "problem": problem}
        )
        return None
    return value


def _rows(source, default_warehouse, problems: list[str]) -> list[_Row]:
    warehouses = {w.code.lower(): w for w in Warehouse.objects.all()}
    warehouses.update({w.name.lower(): w for w in warehouses.values()})
    skus_by_code = {}
    rows, seen = [], {}
    parsed = []
    for row in read_rows(source):
        if not any(name in row.cells for name in SKU_COLUMNS + BARCODE_COLUMNS):
            raise FileProblem(_("The file has no SKU (or barcode) column."))
        if not any(name in row.cells for name in ON_HAND_COLUMNS + SAFETY_COLUMNS + LOCATION_COLUMNS):
            raise FileProblem(_("The file has no on-hand, safety stock or location column."))
        parsed.append(row)
    codes = {row.get(*SKU_COLUMNS) for row in parsed} - {""}
    barcodes = {row.get(*BARCODE_COLUMNS) for row in parsed} - {""}
    skus_by_code = {sku.code.lower(): sku for sku in SKU.objects.filter(code__in=codes)}
    if len(skus_by_code) < len(codes):  # SKU codes are case-insensitive here: look again for the rest
        for sku in SKU.objects.all().only("pk", "code", "barcode", "name"):
            skus_by_code.setdefault(sku.code.lower(), sku)
    skus_by_barcode = {sku.barcode: sku for sku in SKU.objects.filter(barcode__in=barcodes)}
    for row in parsed:
        line_problems = []
        warehouse_text = row.get(*WAREHOUSE_COLUMNS)
        warehouse = warehouses.get(warehouse_text.lower()) if warehouse_text else default_warehouse
        if warehouse is None:
            line_problems.append(
                _("Line %(line)s: unknown warehouse “%(text)s”.") % {"line": row.line, "text": warehouse_text}
                if warehouse_text
                else _("Line %(line)s: no warehouse given.") % {"line": row.line}
            )
        code, barcode = row.get(*SKU_COLUMNS), row.get(*BARCODE_COLUMNS)
        sku = skus_by_code.get(code.lower()) if code else skus_by_barcode.get(barcode)
        if sku is None:
            line_problems.append(
                _("Line %(line)s: unknown SKU “%(text)s”.") % {"line": row.line, "text": code or barcode or "-"}
            )
        on_hand_text, safety_text = row.get(*ON_HAND_COLUMNS), row.get(*SAFETY_COLUMNS)
        on_hand = _whole_number(on_hand_text, row.line, "on_hand", line_problems) if on_hand_text else None
        safety = _whole_number(safety_text, row.line, "safety_stock", line_problems) if safety_text else None
        location = row.get(*LOCATION_COLUMNS) or None
        if location_problem := field_problem(StockLevel, "location", location):
            line_problems.append(_("Line %(line)s: %(problem)s") % {"line": row.line, "problem": location_problem})
        if on_hand is None and safety is None and location is None and not line_problems:
            line_problems.append(_("Line %(line)s: nothing to set.") % {"line": row.line})
        if warehouse is not None and sku is not None:
            key = (warehouse.pk, sku.pk)
            if key in seen:
                line_problems.append(
                    _("Line %(line)s: %(sku)s in %(warehouse)s is already on line %(first)s.")
                    % {"line": row.line, "sku": sku.code, "warehouse": warehouse.code, "first": seen[key]}
                )
            seen[key] = row.line
        if line_problems:
            problems.extend(line_problems)
            continue
        rows.append(_Row(row.line, warehouse, sku, on_hand, safety, location))
    return rows


@transaction.atomic
def stock_levels_import(*, actor, source, file_name: str = "", warehouse=None, at=None) -> StockImportResult:
    """Set on hand (by a count movement of the difference), safety stock and bin
    location from a file; all rows or none."""
    require_permission(actor, "inventory.count_stock", _("Your role may not import stock levels."))
    problems: list[str] = []
    rows = _rows(source, warehouse, problems)
    if problems:
        raise StockImportProblems(problems)
    if not rows:
        raise StockImportProblems([_("The file has no data rows.")])
    at = at or timezone.now()
    StockLevel.objects.bulk_create(
        [StockLevel(warehouse=row.warehouse, sku=row.sku) for row in rows], ignore_conflicts=True
    )
    wanted = {(row.warehouse.pk, row.sku.pk) for row in rows}
    level_ids = [
        pk
        for pk, warehouse_id, sku_id in StockLevel.objects.filter(
            sku_id__in={row.sku.pk for row in rows}
        ).values_list("pk", "warehouse_id", "sku_id")
        if (warehouse_id, sku_id) in wanted
    ]
    levels = {(level.warehouse_id, level.sku_id): level for level in locks.stock_levels_named_for_update(level_ids)}
    for row in rows:
        level = levels[row.warehouse.pk, row.sku.pk]
        if row.on_hand is not None and row.on_hand < level.reserved:
            problems.append(
                _("Line %(line)s: %(level)s has %(reserved)s units reserved for orders; on hand cannot be %(on_hand)s.")
                % {"line": row.line, "level": level, "reserved": level.reserved, "on_hand": row.on_hand}
            )
    if problems:
        raise StockImportProblems(problems)
    result = StockImportResult(rows=len(rows))
    reference = (file_name or _("stock file"))[:100]
    arrived = []
    for row in sorted(rows, key=lambda row: levels[row.warehouse.pk, row.sku.pk].pk):
        level = levels[row.warehouse.pk, row.sku.pk]
        if row.on_hand is not None and row.on_hand != level.on_hand:
            count = _count(
                level,
                counted=row.on_hand,
                actor=actor,
                at=at,
                note=_("Imported from %(file)s, line %(line)s") % {"file": reference, "line": row.line},
                kind=MovementKind.IMPORT,
                reference_type=ReferenceType.IMPORT,
                reference=reference,
            )
            result.changed += 1
            if count.difference > 0:
                arrived.append(row.sku.pk)
        else:
            result.unchanged += 1
        updates = {}
        if row.safety_stock is not None and row.safety_stock != level.safety_stock:
            updates["safety_stock"] = row.safety_stock
        if row.location is not None and row.location.upper() != level.location:
            updates["location"] = row.location.upper()
        if updates:
            StockLevel.objects.filter(pk=level.pk).update(**updates)
            result.settings_changed += 1
    if arrived:
        stock_arrived(sku_ids=arrived)
    return result
