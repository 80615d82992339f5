"""Import batches: a file (or a Taobao pair) uploaded, previewed, confirmed,
imported, with its progress, counts and rejected rows.

    import_batch_create    store the files, hash them, estimate their rows
    import_batch_preview   dry run: what would be created / changed / rejected
    import_batch_confirm   the import itself (after a preview)
    import_batch_import    straight to the import (manage.py import_orders)
    import_batch_run_again a failed import, from the start (idempotent)
    import_batch_discard   a preview nobody wants; its files are deleted
    import_batch_continue  the work itself: inline for small files, in a
                           django-q2 task for big ones (≥ ORDERDESK_IMPORT_TASK_ROWS)

Big files: the task works for ORDERDESK_IMPORT_TASK_SECONDS, then queues its
own continuation, which resumes after the last chunk written (each chunk of
orders is one transaction, so a crash leaves whole orders or none; running
the file again creates what is missing and changes nothing else).
"""

import hashlib
import logging
import time
import uuid
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.tasks import enqueue_on_commit
from core.errors import DomainError, require_permission
from core.files import FileProblem, estimate_rows
from .. import locks
from ..importers import registry
from ..importers.base import NamedFile
from ..importers.models import RUNNING_STATUSES, ImportBatch, ImportKind, ImportRejection, ImportStatus
from ..models import Channel
from .import_pipeline import OrderImport, Outcome
from .tracking_import import TrackingImport

logger = logging.getLogger(__name__)

TASK = "orders.tasks.import_batch_continue"
STALE_STATUSES = (ImportStatus.UPLOADED, ImportStatus.PREVIEWED)


def import_storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.ORDERDESK_IMPORT_DIR)


def _require_import_perm(actor, kind: str) -> None:
    if kind == ImportKind.TRACKING:
        require_permission(actor, "orders.import_tracking", _("Your role may not import tracking numbers."))
    else:
        require_permission(actor, "orders.import_orders", _("Your role may not import orders."))


def _store(storage, name: str, content) -> tuple[str, str]:
    """Save an uploaded file; (storage name, SHA-256 of its bytes)."""
    if not isinstance(content, File):
        content = File(content, name=name)
    content.seek(0)
    folder = f"{timezone.now():%Y/%m/%d}/{uuid.uuid4().hex}"
    path = storage.save(f"{folder}/{get_valid_filename(PurePath(name).name) or 'upload'}", content)
    digest = hashlib.sha256()
    with storage.open(path, "rb") as stored:
        while chunk := stored.read(1 << 20):
            digest.update(chunk)
    return path, digest.hexdigest()


def import_batch_create(
    *, actor, kind: str = ImportKind.ORDERS, channel: Channel | None, files: list[tuple[str, object]], file_format: str = ""
) -> ImportBatch:
    """Keep the uploaded files for preview and import; nothing is read yet but their size.

    The files are stored before the batch that names them, in a transaction
    no caller's can enclose (durable): if it does not commit, they are
    deleted again, so that no file is left that no batch knows of."""
    stored: list[str] = []
    try:
        return _import_batch_create(
            actor=actor, kind=kind, channel=channel, files=files, file_format=file_format, stored=stored
        )
    except BaseException:
        _delete_stored(stored)
        raise


@transaction.atomic(durable=True)
def _import_batch_create(
    *, actor, kind: str, channel: Channel | None, files, file_format: str, stored: list[str]
) -> ImportBatch:
    _require_import_perm(actor, kind)
    if not files:
        raise DomainError(_("Choose a file to import."))
    if kind == ImportKind.ORDERS:
        if channel is None:
            raise DomainError(_("Choose the channel the orders come from."))
        fmt = registry.format_for(channel, file_format)
        if len(files) > fmt.max_files:
            raise DomainError(
                ngettext("%(format)s takes at most %(count)s file.", "%(format)s takes at most %(count)s files.", fmt.max_files)
                % {"format": fmt.label, "count": fmt.max_files}
            )
        file_format = fmt.code
    else:
        if len(files) != 1:
            raise DomainError(_("Upload one tracking file at a time."))
        file_format = "tracking"
    import_batches_fail_abandoned()
    import_batches_discard_stale()
    storage = import_storage()
    hashes, rows = [], 0
    for name, content in files:
        path, digest = _store(storage, name, content)
        stored.append(path)
        hashes.append(digest)
        with storage.open(path, "rb") as binary:
            rows += estimate_rows(binary)
    file_hash = hashes[0] if len(hashes) == 1 else hashlib.sha256("".join(sorted(hashes)).encode()).hexdigest()
    previous = (
        ImportBatch.objects.filter(channel=channel, file_hash=file_hash, status=ImportStatus.DONE).order_by("-id").first()
    )
    return ImportBatch.objects.create(
        kind=kind,
        channel=channel,
        file_format=file_format,
        file_names=[PurePath(name).name for name, _content in files],
        stored_files=stored,
        file_hash=file_hash,
        created_by=actor,
        created_at=timezone.now(),
        rows_total=rows,
        in_background=rows >= settings.ORDERDESK_IMPORT_TASK_ROWS,
        preview={"same_file_as": previous.pk} if previous else {},
        language=translation.get_language() or "",
    )


def _start(batch: ImportBatch, *, inline: bool = False) -> ImportBatch:
    """Have the batch's work done once this transaction commits: in this
    process for small files, as a task for big ones. ``inline``: the caller
    (the command line) runs ``import_batch_continue`` itself, whatever the size."""
    ImportRejection.objects.filter(batch=batch).delete()
    if inline:
        return batch
    if batch.in_background:
        enqueue_on_commit(TASK, batch.pk)
    else:
        transaction.on_commit(lambda: import_batch_continue(batch_id=batch.pk))
    return batch


@transaction.atomic
def import_batch_preview(*, actor, batch_id: int, inline: bool = False) -> ImportBatch:
    batch = locks.import_batch_for_update(batch_id)
    _require_import_perm(actor, batch.kind)
    if batch.status != ImportStatus.UPLOADED:
        raise DomainError(_("Import %(batch)s has been previewed already.") % {"batch": batch.pk})
    batch.start_preview(at=timezone.now())
    batch.save()
    return _start(batch, inline=inline)


def _begin_import(actor, batch_id: int, allowed, inline: bool = False) -> ImportBatch:
    batch = locks.import_batch_for_update(batch_id)
    _require_import_perm(actor, batch.kind)
    if not allowed(batch):
        raise DomainError(
            _("Import %(batch)s is %(status)s; it cannot be imported now.")
            % {"batch": batch.pk, "status": batch.get_status_display()}
        )
    if not batch.stored_files:
        raise DomainError(_("The files of import %(batch)s are gone; upload them again.") % {"batch": batch.pk})
    batch.start_import(at=timezone.now(), by=actor)
    batch.save()
    return _start(batch, inline=inline)


@transaction.atomic
def import_batch_confirm(*, actor, batch_id: int, inline: bool = False) -> ImportBatch:
    """Import what the preview showed (read again: the orders may have moved since)."""
    return _begin_import(actor, batch_id, lambda batch: batch.can_confirm(), inline)


@transaction.atomic
def import_batch_import(*, actor, batch_id: int, inline: bool = False) -> ImportBatch:
    """Import without a preview first (the command line)."""
    return _begin_import(actor, batch_id, lambda batch: batch.status == ImportStatus.UPLOADED, inline)


@transaction.atomic
def import_batch_run_again(*, actor, batch_id: int) -> ImportBatch:
    """A failed import, run again over the same files: what was written stays, the rest follows."""
    return _begin_import(actor, batch_id, lambda batch: batch.can_run_again())


def _delete_stored(paths: list[str]) -> None:
    storage = import_storage()
    for path in paths:
        storage.delete(path)


def _delete_files(batch: ImportBatch) -> None:
    """The batch forgets its files, which are deleted once that is committed (a rollback keeps both)."""
    paths = list(batch.stored_files)
    batch.stored_files = []
    # robust: a file that cannot be deleted is logged; it does not undo what was committed.
    transaction.on_commit(lambda: _delete_stored(paths), robust=True)


@transaction.atomic
def import_batch_discard(*, actor, batch_id: int) -> ImportBatch:
    batch = locks.import_batch_for_update(batch_id)
    _require_import_perm(actor, batch.kind)
    if batch.status not in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED, ImportStatus.FAILED):
        raise DomainError(_("Import %(batch)s cannot be discarded now.") % {"batch": batch.pk})
    batch.discard(at=timezone.now())
    _delete_files(batch)
    batch.save()
    ImportRejection.objects.filter(batch=batch).delete()
    return batch


def import_batches_discard_stale(*, older_than: timedelta | None = None) -> int:
    """Discard previews nobody confirmed (and their files); returns how many."""
    cutoff = timezone.now() - (older_than or timedelta(hours=settings.ORDERDESK_IMPORT_KEEP_HOURS))
    stale = list(
        ImportBatch.objects.filter(status__in=STALE_STATUSES, created_at__lt=cutoff).values_list("pk", flat=True)
    )
    for batch_id in stale:
        import_batch_discard(actor=None, batch_id=batch_id)
    return len(stale)


def import_batches_fail_abandoned(*, quiet_for: timedelta | None = None) -> int:
    """Mark failed the batches whose run stopped without a word (the command
    line or web process killed mid-way): they would show "Importing" forever,
    with neither *Import again* nor *Discard*. Each chunk commits whole, so
    what is written is whole orders, and running it again finishes it.
    Background runs resume by themselves well within ``quiet_for`` (django-q2
    retries a dead task after Q_CLUSTER["retry"] seconds)."""
    quiet_since = timezone.now() - (quiet_for or timedelta(minutes=settings.ORDERDESK_IMPORT_ABANDONED_MINUTES))
    candidates = ImportBatch.objects.filter(status__in=RUNNING_STATUSES).values_list("pk", flat=True)
    failed = 0
    for batch_id in list(candidates):
        with transaction.atomic():
            batch = locks.import_batch_for_update(batch_id)
            if not batch.is_abandoned(quiet_since=quiet_since):
                continue
            batch.fail(
                at=timezone.now(),
                error=_(
                    "The import stopped before it finished: its process ended at row %(rows)s. What it wrote is "
                    "whole orders; run it again to finish, or discard it."
                )
                % {"rows": batch.rows_done},
            )
            batch.save()
            failed += 1
    return failed


# --- the work -------------------------------------------------------------------------------


def _outcome_of(batch: ImportBatch):
    return Outcome(
        created=batch.created_count,
        updated=batch.updated_count,
        unchanged=batch.unchanged_count,
        rejected_orders=batch.rejected_orders,
        rejected_rows=batch.rejected_rows,
        unknown_sku_orders=batch.preview.get("unknown_sku_orders", 0),
        samples=batch.preview.get("samples") or {"created": [], "changed": []},
    )


def _preview_of(batch: ImportBatch, runner) -> dict:
    return {
        **batch.preview,
        "samples": runner.outcome.samples,
        "unknown_sku_orders": runner.outcome.unknown_sku_orders,
        "headers": {**batch.preview.get("headers", {}), **runner.progress.headers},
        "cleaned": {"rows": runner.progress.cleaned_rows, "lines": runner.progress.cleaned_lines},
        "applied": batch.status == ImportStatus.IMPORTING,
    }


def _record_chunk(batch_id: int, runner, rejected, chunks_done: int) -> None:
    """After each chunk: its rejected rows, the counts so far and where to resume."""
    with transaction.atomic():
        ImportRejection.objects.bulk_create(
            ImportRejection(
                batch_id=batch_id,
                file_name=row.file,
                line=row.line,
                platform_order_id=record.platform_order_id[:64],
                reason=record.reason,
                cells=row.cells,
            )
            for record in rejected
            for row in record.rows
        )
        batch = ImportBatch.objects.get(pk=batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(
            rows_done=runner.progress.rows,
            chunks_done=chunks_done,
            progress_at=timezone.now(),
            preview=_preview_of(batch, runner),
            **runner.outcome.counts(),
        )


def _runner(batch: ImportBatch, files, *, on_chunk):
    actor = batch.confirmed_by if batch.status == ImportStatus.IMPORTING else batch.created_by
    common = {
        "files": files,
        "channel": batch.channel,
        "actor": actor,
        "apply": batch.status == ImportStatus.IMPORTING,
        "batch_id": batch.pk,
        "on_chunk": on_chunk,
        "outcome": _outcome_of(batch),
    }
    if batch.kind == ImportKind.TRACKING:
        return TrackingImport(**common)
    return OrderImport(fmt=registry.format_for(batch.channel, batch.file_format), **common)


def import_batch_continue(*, batch_id: int, budget_seconds: float | None = None) -> ImportBatch:
    """Do (or resume) a batch's preview or import; the task and the small-file path call this.

    Not one transaction: each chunk commits on its own. Safe to run twice: a
    batch that is not running is left alone, a running one resumes after its
    last recorded chunk. With ``budget_seconds`` it stops after the chunk that
    uses the budget up and queues its continuation. Its rejected rows and
    messages are written in the language of the user who uploaded the files,
    also in a background task (which has no request to take a language from).
    """
    batch = ImportBatch.objects.select_related("channel", "created_by", "confirmed_by").get(pk=batch_id)
    if not batch.is_running():
        return batch
    with translation.override(batch.language or None):
        return _continue(batch, budget_seconds)


def _continue(batch: ImportBatch, budget_seconds: float | None) -> ImportBatch:
    batch_id = batch.pk
    started = time.monotonic()
    skip = batch.chunks_done

    def on_chunk(runner, rejected, chunks_done):
        _record_chunk(batch_id, runner, rejected, chunks_done)
        return budget_seconds is None or time.monotonic() - started < budget_seconds

    storage = import_storage()
    opened = []
    try:
        for name, path in zip(batch.file_names, batch.stored_files, strict=True):
            opened.append(NamedFile(name, storage.open(path, "rb")))
        runner = _runner(batch, opened, on_chunk=on_chunk)
        finished = runner.run(skip_chunks=skip)
    except (FileProblem, DomainError) as error:
        return _fail(batch_id, str(error))
    except FileNotFoundError:
        return _fail(batch_id, _("The uploaded files are gone; upload them again."))
    except Exception as error:
        logger.exception("Import batch %s stopped", batch_id)
        return _fail(
            batch_id,
            _(
                "The import stopped: %(error)s. Every order written before the stop is complete; "
                "run it again to import the rest."
            )
            % {"error": error},
        )
    finally:
        for named in opened:
            named.binary.close()
    if not finished:
        enqueue_on_commit(TASK, batch_id)
        return ImportBatch.objects.get(pk=batch_id)
    return _finish(batch_id, runner)


@transaction.atomic
def _finish(batch_id: int, runner) -> ImportBatch:
    batch = locks.import_batch_for_update(batch_id)
    if not batch.is_running():
        return batch
    for name, value in runner.outcome.counts().items():
        setattr(batch, name, value)
    batch.rows_done = runner.progress.rows
    batch.preview = _preview_of(batch, runner)
    now = timezone.now()
    if batch.status == ImportStatus.PREVIEWING:
        batch.finish_preview(at=now)
    else:
        batch.finish(at=now)
        _delete_files(batch)
    batch.save()
    return batch


@transaction.atomic
def _fail(batch_id: int, error: str) -> ImportBatch:
    batch = locks.import_batch_for_update(batch_id)
    if batch.is_running():
        batch.fail(at=timezone.now(), error=error)
        batch.save()
    return batch


__all__ = [
    "import_batch_confirm",
    "import_batch_continue",
    "import_batch_create",
    "import_batch_discard",
    "import_batch_import",
    "import_batch_preview",
    "import_batch_run_again",
    "import_batches_discard_stale",
    "import_batches_fail_abandoned",
    "import_storage",
]
