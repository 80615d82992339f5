"""Row locks, always taken in one global order:
Order → OrderLine → StockLevel → finance rows (each kind sorted by id)."""

from django.db import connection

from .models import Order, OrderLine


def order_for_update(order_id: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


def order_lines_for_update(order: Order) -> list[OrderLine]:
    return list(OrderLine.objects.select_for_update().filter(order=order).order_by("id"))


# --- issue 4: orders that ship together, locked together ----------------------------------


def orders_for_update(order_ids) -> list[Order]:
    """Several orders (a merge, a split and its parent), locked sorted by id."""
    return list(Order.objects.select_for_update().filter(pk__in=list(order_ids)).order_by("id"))


# The allocation path (benchmarks/allocation.py) runs these many times a second:
# as raw SQL they skip the ORM's query compilation, which cost more than the
# round trip itself. Same rows, same lock order.


def for_update_sql(of: str = "") -> str:
    """`` FOR UPDATE [OF table]`` where the database has row locks (not SQLite: its writer lock serialises)."""
    if not connection.features.has_select_for_update:
        return ""
    if of and connection.features.has_select_for_update_of:
        return f" FOR UPDATE OF {of}"
    return " FOR UPDATE"


_CONVERTERS = {}


def _converters(model):
    """The database's value converters per field (SQLite's dates come back as text), as the ORM applies them."""
    key = (model, connection.vendor)
    if key not in _CONVERTERS:
        converters = []
        for index, field in enumerate(model._meta.concrete_fields):
            column = field.get_col(model._meta.db_table)
            functions = [*connection.ops.get_db_converters(column), *field.get_db_converters(connection)]
            if functions:
                converters.append((index, column, functions))
        _CONVERTERS[key] = converters
    return _CONVERTERS[key]


def fetch_models(model, sql_before_columns: str, sql_after_columns: str, params, *, alias="", extra=()):
    """Model instances from one raw query, built with ``Model.from_db`` (what the
    ORM does, minus compiling the query and mapping the columns each time).
    ``extra`` names further selected columns, set as attributes."""
    concrete = model._meta.concrete_fields
    fields = [field.attname for field in concrete]
    prefix = f"{alias}." if alias else ""
    columns = ", ".join([*(f'{prefix}"{field.column}"' for field in concrete), *extra])
    with connection.cursor() as cursor:
        cursor.execute(f"{sql_before_columns} {columns} {sql_after_columns}", params)
        rows = cursor.fetchall()
    converters = _converters(model)
    instances = []
    for row in rows:
        values = list(row[: len(fields)])
        for index, field, functions in converters:
            for convert in functions:
                values[index] = convert(values[index], field, connection)
        instance = model.from_db(connection.alias, fields, values)
        for (name, value) in zip((column.rsplit(" ", 1)[-1] for column in extra), row[len(fields) :], strict=True):
            setattr(instance, name, value)
        instances.append(instance)
    return instances


def order_with_merged_for_update(order_id: int) -> list[Order]:
    """The order and the orders merged into it (shipping with it), sorted by id, in one query."""
    return fetch_models(
        Order,
        "SELECT",
        f"FROM {Order._meta.db_table} WHERE id = %s OR merged_into_id = %s ORDER BY id{for_update_sql()}",  # noqa: S608
        [order_id, order_id],
    )


def lines_for_allocation(order_ids) -> list[OrderLine]:
    """The lines of these orders, locked, sorted by id, each with ``sku_code`` (the SKU rows are not locked)."""
    ids = [int(pk) for pk in order_ids]
    return fetch_models(
        OrderLine,
        "SELECT",
        f"FROM {OrderLine._meta.db_table} line LEFT JOIN inventory_sku sku ON sku.id = line.sku_id "  # noqa: S608
        f"WHERE line.order_id IN ({', '.join(['%s'] * len(ids))}) ORDER BY line.id{for_update_sql('line')}",
        ids,
        alias="line",
        extra=("sku.code AS sku_code",),
    )


def lines_with_sku_for_update(order_ids) -> list[OrderLine]:
    """The lines of these orders with their SKUs (only the lines are locked), sorted by id."""
    return list(
        OrderLine.objects.select_for_update(of=("self",))
        .select_related("sku")
        .filter(order_id__in=list(order_ids))
        .order_by("id")
    )


def orders_for_allocation_batch(order_ids) -> list[Order]:
    """These orders and the orders merged into any of them, locked, sorted by id, in one query."""
    ids = [int(pk) for pk in order_ids]
    marks = ", ".join(["%s"] * len(ids))
    return fetch_models(
        Order,
        "SELECT",
        f"FROM {Order._meta.db_table} WHERE id IN ({marks}) OR merged_into_id IN ({marks}) "  # noqa: S608
        f"ORDER BY id{for_update_sql()}",
        [*ids, *ids],
    )
