from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NumberSequence(models.Model):
    """Counters for document numbers (orders, returns, invoices).

    The row is locked while a number is taken, inside the transaction that uses
    it: a rollback gives the number back, so a series has no gaps.
    """

    name = models.CharField(max_length=64, primary_key=True)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "orders_numbersequence"  # created by orders 0001; the table stays where it is
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self):
        return f"{self.name}: {self.last_value}"


class RecordChange(models.Model):
    """One creation or edit of a record: who, when, and each field's value
    before and after ({field: [old, new]}, JSON: decimals as exact strings,
    a related record by its name then).

    Written by the service that makes the change, in its transaction, so
    there is one write path and no signal; the record's admin page reads them
    back, showing only the fields its reader may see."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")

    content_type = models.ForeignKey(ContentType, models.CASCADE, related_name="+", verbose_name=_("record type"))
    object_id = models.PositiveBigIntegerField(_("record id"))
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    changes = models.JSONField(_("changes"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("record change")
        verbose_name_plural = _("record changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="record_change_history_idx")]

    def __str__(self):
        return f"{self.content_type_id}:{self.object_id} {self.action}"
