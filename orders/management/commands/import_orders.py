"""manage.py import_orders --channel CODE FILE [FILE ...] [--dry-run]"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from orders import services
from core.errors import DomainError
from orders.importers.models import ImportBatch, ImportKind, ImportStatus
from orders.importers.registry import FORMATS
from orders.models import Channel

SHOWN_REJECTIONS = 20


def batch_user(username: str | None):
    if not username:
        return None  # the system itself, as a scheduled import
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(_("No user “%(user)s”.") % {"user": username}) from None


def open_files(paths: list[str]):
    files = []
    for path in paths:
        if not Path(path).is_file():
            raise CommandError(_("No file %(path)s.") % {"path": path})
        files.append((Path(path).name, open(path, "rb")))  # noqa: SIM115 - closed by close_files
    return files


def close_files(files):
    for _name, handle in files:
        handle.close()


def report(command, batch: ImportBatch, *, dry_run: bool) -> None:
    if batch.status == ImportStatus.FAILED:
        raise CommandError(batch.error)
    verb = _("Would create") if dry_run else _("Created")
    command.stdout.write(
        _(
            "%(verb)s %(created)s, changed %(updated)s, unchanged %(unchanged)s; rejected %(rows)s rows "
            "(%(orders)s orders). Import batch #%(batch)s."
        )
        % {
            "verb": verb,
            "created": batch.created_count,
            "updated": batch.updated_count,
            "unchanged": batch.unchanged_count,
            "rows": batch.rejected_rows,
            "orders": batch.rejected_orders,
            "batch": batch.pk,
        }
    )
    unknown = batch.preview.get("unknown_sku_orders")
    if unknown:
        command.stdout.write(
            _("%(count)s orders have platform SKU codes we do not know: they wait on hold for a mapping.")
            % {"count": unknown}
        )
    for rejection in batch.rejections.all()[:SHOWN_REJECTIONS]:
        command.stdout.write(f"  {rejection.file_name}:{rejection.line}  {rejection.reason}")
    if batch.rejected_rows > SHOWN_REJECTIONS:
        command.stdout.write(
            _("  … and %(count)s more; download them all from the import batch in the admin.")
            % {"count": batch.rejected_rows - SHOWN_REJECTIONS}
        )
    if dry_run:
        command.stdout.write(_("Dry run: nothing was written. Confirm it in the admin, or run again without --dry-run."))


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Import platform order files for a channel (the format follows the channel's platform, or --format). "
            "The same pipeline as the admin's upload; every run is an import batch."
        )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--channel", required=True, help=_("The channel's code."))
        parser.add_argument("--format", choices=sorted(FORMATS), default="", help=_("Override the channel's format."))
        parser.add_argument("--dry-run", action="store_true", help=_("Show what would happen; write nothing."))
        parser.add_argument("--user", help=_("Import as this user (their role's permissions apply)."))

    def handle(self, *args, files, channel, format, dry_run, user, **options):
        try:
            channel_obj = Channel.objects.get(code=channel)
        except Channel.DoesNotExist:
            raise CommandError(_("No channel with the code “%(code)s”.") % {"code": channel}) from None
        actor = batch_user(user)
        handles = open_files(files)
        try:
            batch = services.import_batch_create(
                actor=actor, kind=ImportKind.ORDERS, channel=channel_obj, files=handles, file_format=format
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        finally:
            close_files(handles)
        try:
            if dry_run:
                services.import_batch_preview(actor=actor, batch_id=batch.pk, inline=True)
            else:
                services.import_batch_import(actor=actor, batch_id=batch.pk, inline=True)
            services.import_batch_continue(batch_id=batch.pk)  # here, whatever the file's size
        except DomainError as error:
            raise CommandError(str(error)) from None
        report(self, ImportBatch.objects.get(pk=batch.pk), dry_run=dry_run)
