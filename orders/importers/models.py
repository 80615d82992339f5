"""Import batches: one row per file (or pair of files) brought in, with its
progress, its counts and the rows it could not use.

These models belong to the ``orders`` app (``orders/models.py`` imports them);
they live here, next to the importers that fill them. A batch's status moves
only through its transitions, run by ``orders.services.import_batches``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition



class ImportKind(models.TextChoices):
    ORDERS = "orders", _("Order file")
    TRACKING = "tracking", _("Tracking numbers")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PREVIEWING = "previewing", _("Preview running")
    PREVIEWED = "previewed", _("Ready to confirm")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    DISCARDED = "discarded", _("Discarded")


# Statuses in which a task is (or should be) working on the batch.
RUNNING_STATUSES = (ImportStatus.PREVIEWING, ImportStatus.IMPORTING)


class ImportBatch(FSMModelMixin, models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices, default=ImportKind.ORDERS)
    channel = models.ForeignKey(
        "orders.Channel", models.PROTECT, null=True, blank=True, related_name="import_batches", verbose_name=_("channel")
    )
    file_format = models.CharField(_("format"), max_length=32)
    file_names = models.JSONField(_("files"), default=list)
    stored_files = models.JSONField(default=list, editable=False)  # names in the import storage; emptied when done
    file_hash = models.CharField(_("file hash (SHA-256)"), max_length=64, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("uploaded"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("confirmed by")
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The last sign of life of a running batch (its start, then each chunk):
    # a run whose process died (a command-line import killed) is found by it.
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True, editable=False)
    status = FSMField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED, protected=True
    )
    in_background = models.BooleanField(_("runs in the background"), default=False)

    rows_total = models.PositiveIntegerField(_("rows (estimated)"), default=0)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    chunks_done = models.PositiveIntegerField(default=0, editable=False)  # where a background run resumes
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("changed"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected_orders = models.PositiveIntegerField(_("orders rejected"), default=0)
    rejected_rows = models.PositiveIntegerField(_("rows rejected"), default=0)
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    # The uploader's language: a background run writes its rejected rows in it.
    language = models.CharField(_("language"), max_length=16, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-id"]
        indexes = [models.Index(fields=["channel", "file_hash"], name="import_batch_hash_idx")]
        permissions = [
            ("import_orders", _("Can import platform order files")),
            ("import_tracking", _("Can import tracking number files")),
            ("export_orders", _("Can export orders and stock files")),
        ]

    def __str__(self):
        return f"#{self.pk} {', '.join(self.file_names)}"

    # --- yes/no questions ------------------------------------------------------

    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    def is_abandoned(self, *, quiet_since) -> bool:
        """Running, but nothing has happened since ``quiet_since``: its process is gone."""
        return self.is_running() and (self.progress_at or self.started_at) < quiet_since

    def can_confirm(self) -> bool:
        return self.status == ImportStatus.PREVIEWED

    def can_run_again(self) -> bool:
        """A failed import (not a failed preview: that file cannot be read) may simply be run again."""
        return self.status == ImportStatus.FAILED and self.confirmed_at is not None and bool(self.stored_files)

    @property
    def progress_percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    # --- transitions: fields only; run them through orders.services.import_batches

    def _reset_run(self, at):
        self.started_at, self.finished_at, self.error = at, None, ""
        self.progress_at = at
        self.rows_done = self.chunks_done = 0
        self.created_count = self.updated_count = self.unchanged_count = 0
        self.rejected_orders = self.rejected_rows = 0
        self.preview = {key: value for key, value in self.preview.items() if key in ("same_file_as",)}

    @transition(status, source=ImportStatus.UPLOADED, target=ImportStatus.PREVIEWING)
    def start_preview(self, *, at):
        self._reset_run(at)

    @transition(status, source=ImportStatus.PREVIEWING, target=ImportStatus.PREVIEWED)
    def finish_preview(self, *, at):
        self.finished_at = at

    @transition(
        status,
        source=[ImportStatus.UPLOADED, ImportStatus.PREVIEWED, ImportStatus.FAILED],
        target=ImportStatus.IMPORTING,
    )
    def start_import(self, *, at, by):
        self.confirmed_at, self.confirmed_by = at, by
        self._reset_run(at)

    @transition(status, source=ImportStatus.IMPORTING, target=ImportStatus.DONE)
    def finish(self, *, at):
        self.finished_at = at

    @transition(status, source=list(RUNNING_STATUSES), target=ImportStatus.FAILED)
    def fail(self, *, at, error: str):
        self.finished_at, self.error = at, error

    @transition(
        status, source=[ImportStatus.UPLOADED, ImportStatus.PREVIEWED, ImportStatus.FAILED], target=ImportStatus.DISCARDED
    )
    def discard(self, *, at):
        self.finished_at = self.finished_at or at


class ImportRejection(models.Model):
    """A row of an import file that was not used, and why."""

    batch = models.ForeignKey(ImportBatch, models.CASCADE, related_name="rejections", verbose_name=_("import batch"))
    file_name = models.CharField(_("file"), max_length=255)
    line = models.PositiveIntegerField(_("line"))
    platform_order_id = models.CharField(_("platform order id"), max_length=64, blank=True)
    reason = models.TextField(_("reason"))
    cells = models.JSONField(_("row"), default=dict)

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        ordering = ["id"]

    def __str__(self):
        return f"{self.file_name}:{self.line} {self.reason}"
