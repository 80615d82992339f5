"""What a model field can hold, on every database we run on alike.

A value that does not fit its column must be refused before it is written,
the same way on SQLite and PostgreSQL: PostgreSQL refuses the whole
statement (``numeric field overflow``, ``value too long``, ``integer out of
range``, a NUL byte in text), while SQLite stores it and Django then fails on
every read of that row (GOTCHAS 18). Files are where such values come from,
so every importer asks ``value_problem`` before deciding a row is good.

The limits are read from the field itself (``max_length``, ``max_digits`` and
``decimal_places``, the integer type's range as PostgreSQL has it); dates
must lie between ``EARLIEST`` and a year from now (``AHEAD``).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from django.utils.translation import gettext as _

# The integer ranges of the standard SQL types (PostgreSQL's): SQLite would store more.
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges
# A date in a platform or settlement file is about trade that happened, or a
# ship-by promise days ahead: a year before 2000, or more than a year from now
# (2099, 9999-12-31), is a placeholder or a typo, never a fact. Year 1 and 9999
# also overflow when moved between time zones.
EARLIEST = date(2000, 1, 1)
AHEAD = timedelta(days=366)
TEXT_LIMIT_SHOWN = 40  # characters of a refused value quoted in a message


def _shown(value) -> str:
    text = str(value)
    return text if len(text) <= TEXT_LIMIT_SHOWN else text[: TEXT_LIMIT_SHOWN - 1] + "…"


def _latest() -> date:
    return timezone.localdate() + AHEAD


def date_problem(value: date | datetime) -> str:
    """Why a date is not one a file may give (empty: it may)."""
    day = value.date() if isinstance(value, datetime) else value  # as the file wrote it: converting year 1 overflows
    if not EARLIEST <= day <= _latest():
        return _("the date %(value)s is not between %(earliest)s and %(latest)s.") % {
            "value": day.isoformat(),
            "earliest": EARLIEST.isoformat(),
            "latest": _latest().isoformat(),
        }
    return ""


def _text_problem(field: models.Field, value: str) -> str:
    if "\x00" in value:
        return _("the text contains a NUL character.")
    if field.max_length is not None and len(value) > field.max_length:
        return _("“%(value)s” is longer than %(limit)s characters.") % {
            "value": _shown(value),
            "limit": field.max_length,
        }
    return ""


def _decimal_problem(field: models.DecimalField, value: Decimal) -> str:
    if not value.is_finite():
        return _("“%(value)s” is not a number.") % {"value": value}
    whole_digits = field.max_digits - field.decimal_places
    if abs(value) >= Decimal(10) ** whole_digits:
        return _("%(value)s is too large (at most %(digits)s digits before the decimal point).") % {
            "value": _shown(value),
            "digits": whole_digits,
        }
    return ""


def _integer_problem(field: models.Field, value: int) -> str:
    low, high = INTEGER_RANGES[field.get_internal_type()]
    if not low <= value <= high:
        return _("%(value)s is not between %(low)s and %(high)s.") % {"value": _shown(value), "low": low, "high": high}
    return ""


def value_problem(field: models.Field, value) -> str:
    """Why ``value`` cannot be stored in ``field`` (empty: it can). ``None`` and
    ``""`` are left to the caller's own rule for empty values."""
    if value is None or value == "":
        return ""
    if isinstance(field, (models.CharField, models.TextField)):
        return _text_problem(field, str(value))
    if isinstance(field, models.DecimalField):
        return _decimal_problem(field, Decimal(value))
    if field.get_internal_type() in INTEGER_RANGES:
        return _integer_problem(field, int(value))
    if isinstance(field, (models.DateTimeField, models.DateField)):
        return date_problem(value)
    return ""


def field_problem(model: type[models.Model], name: str, value) -> str:
    """``value_problem`` for ``model.name``, naming the field: ``"tracking number: … is longer than 64 characters."``"""
    field = model._meta.get_field(name)
    problem = value_problem(field, value)
    return f"{field.verbose_name}: {problem}" if problem else ""


def model_problems(model: type[models.Model], values: dict) -> list[str]:
    """``field_problem`` for each (field name, value) of ``values``."""
    return [problem for name, value in values.items() if (problem := field_problem(model, name, value))]
