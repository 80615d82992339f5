"""Model instances read with one raw SQL statement.

The allocation path (benchmarks/allocation.py) runs its lock queries many
times a second: as raw SQL they skip the ORM's query compilation, which cost
more than the round trip itself. The ``<app>/locks.py`` modules build their
raw lock statements from these two pieces."""

from django.db import connection


def for_update_clause(of: str = "") -> str:
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


def instances_from_sql(model, sql_before_columns: str, sql_after_columns: str, params, *, alias="", extra=()):
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
