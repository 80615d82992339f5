"""manage.py import_tracking FILE [--channel CODE] [--dry-run]"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from orders import services
from core.errors import DomainError
from orders.importers.models import ImportBatch, ImportKind
from orders.models import Channel

from .import_orders import batch_user, close_files, open_files, report


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Ship packed orders from a file of (order, carrier, tracking number); the order is our number "
            "or the platform's order id."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--channel", help=_("Platform order ids are of this channel."))
        parser.add_argument("--dry-run", action="store_true", help=_("Show what would happen; write nothing."))
        parser.add_argument("--user", help=_("Import as this user (their role's permissions apply)."))

    def handle(self, *args, file, channel, dry_run, user, **options):
        channel_obj = None
        if channel:
            channel_obj = Channel.objects.filter(code=channel).first()
            if channel_obj is None:
                raise CommandError(_("No channel with the code “%(code)s”.") % {"code": channel})
        actor = batch_user(user)
        handles = open_files([file])
        try:
            batch = services.import_batch_create(actor=actor, kind=ImportKind.TRACKING, channel=channel_obj, files=handles)
            if dry_run:
                services.import_batch_preview(actor=actor, batch_id=batch.pk, inline=True)
            else:
                services.import_batch_import(actor=actor, batch_id=batch.pk, inline=True)
            services.import_batch_continue(batch_id=batch.pk)  # here, whatever the file's size
        except DomainError as error:
            raise CommandError(str(error)) from None
        finally:
            close_files(handles)
        report(self, ImportBatch.objects.get(pk=batch.pk), dry_run=dry_run)
