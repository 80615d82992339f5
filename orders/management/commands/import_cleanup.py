"""manage.py import_cleanup [--hours N]"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from orders import services


class Command(BaseCommand):
    @property
    def help(self):
        return _("Discard import previews nobody confirmed, and delete their uploaded files.")

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=settings.ORDERDESK_IMPORT_KEEP_HOURS)

    def handle(self, *args, hours, **options):
        count = services.import_batches_discard_stale(older_than=timedelta(hours=hours))
        self.stdout.write(_("%(count)s previews discarded.") % {"count": count})
