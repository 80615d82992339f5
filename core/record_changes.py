"""Records created and edited by a service, with who changed which field from
what to what (core.RecordChange).

A service checks its permissions, locks the record (core.locks) and hands the
submitted values here: ``record_create`` and ``record_update`` validate,
save and write the change row in the caller's transaction. ``record_history``
reads the rows back for a record's page, limited to the fields its reader may
see, so a hidden field's old and new values never reach them.
"""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .errors import DomainError, NotPermitted
from .models import RecordChange


def record_create(model: type[models.Model], *, actor, values: dict, editable, locked=()) -> models.Model:
    """A new ``model`` record from ``values`` (field name → value, among the
    ``editable`` ones; a value for a field ``locked`` for this actor is
    refused); its history starts with every value it was given."""
    _check_editable(values, editable)
    record = model(**values)
    _refuse_locked(record, [name for name in values if not _is_empty(record, name)], locked)
    _validate(record)
    record.save(force_insert=True)
    record.refresh_from_db(fields=list(values))
    changes = {name: [None, _stored(record, name)] for name in values if not _is_empty(record, name)}
    _write(record, actor=actor, action=RecordChange.Action.CREATED, changes=changes)
    return record


def record_update(record: models.Model, *, actor, values: dict, editable, locked=()) -> dict[str, list]:
    """Set ``values`` (among the ``editable`` fields) on ``record`` (locked by
    the caller), save the fields that really change and write their old and
    new values; returns {field: [old, new]}, empty (and nothing written) when
    nothing changed. A change to a field ``locked`` for this actor is refused
    (a value equal to the current one is not a change)."""
    _check_editable(values, editable)
    before = {name: (_compared(record, name), _stored(record, name)) for name in values}
    for name, value in values.items():
        setattr(record, name, value)
    changed = [name for name in values if _compared(record, name) != before[name][0]]
    if not changed:
        return {}
    _refuse_locked(record, changed, locked)
    _validate(record)
    record.save(update_fields=changed)
    record.refresh_from_db(fields=changed)  # the new values as the database keeps them (20 → 20.00)
    changes = {name: [before[name][1], _stored(record, name)] for name in changed}
    _write(record, actor=actor, action=RecordChange.Action.CHANGED, changes=changes)
    return changes


def record_changed(record: models.Model, *, actor, changes: dict, created: bool = False) -> RecordChange:
    """Write a change the caller made itself (e.g. a group's permissions, which
    ``record_update`` does not set): {name: [old, new]}."""
    return _write(record, actor=actor, action=RecordChange.Action.CREATED if created else RecordChange.Action.CHANGED, changes=changes)


def record_changes_of(record: models.Model):
    """The record's change rows, newest first, with who made them."""
    return RecordChange.objects.filter(
        content_type=ContentType.objects.get_for_model(record, for_concrete_model=False), object_id=record.pk
    ).select_related("actor")


def actor_name(change: RecordChange) -> str:
    return change.actor.get_username() if change.actor else _("system")


def record_history(record: models.Model, *, fields, limit: int | None = None) -> list[dict]:
    """The record's last ``limit`` changes (all without one), newest first,
    one row per changed field among ``fields`` (those its reader may see, in
    that order): at, actor, action, field (the model field), old and new (as
    the field holds them; a related record by the name it had). A change of
    hidden fields only is left out whole."""
    changes = record_changes_of(record)
    rows = []
    for change in changes[:limit] if limit else changes:
        for name in [name for name in fields if name in change.changes]:
            old, new = change.changes[name]
            field = record._meta.get_field(name)
            rows.append(
                {
                    "at": change.at,
                    "actor": actor_name(change),
                    "action": change.action,
                    "field": field,
                    "old": _restored(field, old),
                    "new": _restored(field, new),
                }
            )
    return rows


def _check_editable(values: dict, editable) -> None:
    not_editable = set(values) - set(editable)
    if not_editable:
        raise ValueError(f"Not editable through this service: {sorted(not_editable)}")


def _refuse_locked(record, names, locked) -> None:
    refused = [name for name in names if name in locked]
    if refused:
        labels = ", ".join(str(capfirst(record._meta.get_field(name).verbose_name)) for name in refused)
        raise NotPermitted(_("Your role may not change: %(fields)s.") % {"fields": labels})


def _validate(record) -> None:
    try:
        record.full_clean()
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from None


def _write(record, *, actor, action, changes) -> RecordChange:
    return RecordChange.objects.create(
        content_type=ContentType.objects.get_for_model(record, for_concrete_model=False),
        object_id=record.pk,
        action=action,
        changes=changes,
        actor=actor,
    )


def _compared(record, name):
    """What decides whether a field changed: a related record's id, a number's value (20 == 20.00)."""
    return getattr(record, record._meta.get_field(name).attname)


def _stored(record, name):
    """The field's value as the change row keeps it: plain JSON, a related record by its name."""
    field = record._meta.get_field(name)
    if field.is_relation:
        related = getattr(record, name)
        return None if related is None else str(related)
    return json.loads(json.dumps(getattr(record, name), cls=DjangoJSONEncoder))


def _is_empty(record, name) -> bool:
    return getattr(record, record._meta.get_field(name).attname) in (None, "", [], {})


def _restored(field, value):
    return value if field.is_relation else field.to_python(value)
