"""Admin pages of records that a service creates and edits (core.record_changes).

The ModelAdmin's save_model hands the form's values to the service
(``form_values``, then ``adopt_saved`` on an addition); ``RecordHistoryMixin``
shows the record's history on its page and on Django's "History" page, each
row a field its reader sees on the form: a field hidden from a role keeps its
old and new values hidden too.
"""

from django.contrib.admin.utils import display_for_field, display_for_value, flatten_fieldsets, unquote
from django.utils.text import capfirst

from .models import RecordChange
from .record_changes import record_history

# The page shows the latest changes; the "History" page shows them all.
CHANGES_ON_PAGE = 50
EMPTY = "—"


def form_values(form, *, change: bool) -> dict:
    """The values the service is given: every field of a new record, only
    those the user changed on an edit (an edit leaves alone what others
    changed meanwhile)."""
    names = form.changed_data if change else form.fields
    return {name: form.cleaned_data[name] for name in names}


def adopt_saved(obj, saved) -> None:
    """After the service created ``saved``, the admin carries on with the
    object its form built (to log it, save its inlines, redirect to it): it
    becomes that record."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db


class RecordHistoryMixin:
    change_form_template = "admin/od_record_change_form.html"
    object_history_template = "admin/od_record_object_history.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["record_history"] = self.record_history_rows(request, obj, limit=CHANGES_ON_PAGE)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_view_or_change_permission(request, obj):
            extra_context = {**(extra_context or {}), "record_history": self.record_history_rows(request, obj)}
        return super().history_view(request, object_id, extra_context=extra_context)

    def record_history_rows(self, request, obj, *, limit=None) -> list[dict]:
        visible = flatten_fieldsets(self.get_fieldsets(request, obj))
        return [
            {
                "at": row["at"],
                "actor": row["actor"],
                "field": capfirst(row["field"].verbose_name),
                "created": row["action"] == RecordChange.Action.CREATED,
                "old": _displayed(row["field"], row["old"]),
                "new": _displayed(row["field"], row["new"]),
            }
            for row in record_history(obj, fields=visible, limit=limit)
        ]


def _displayed(field, value):
    """A value as the admin shows that field: choices by label, yes/no icons, localised numbers."""
    if field.is_relation:
        return display_for_value(value, EMPTY)
    return display_for_field(value, field, EMPTY)
