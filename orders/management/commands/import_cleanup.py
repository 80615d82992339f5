"""manage.py import_cleanup [--hours N]"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from orders import services


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Mark failed the imports whose process ended mid-way; discard import previews nobody confirmed, "
            "and delete their uploaded files."
        )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=settings.ORDERDESK_IMPORT_KEEP_HOURS)

    def handle(self, *args, hours, **options):
        abandoned = services.import_batches_fail_abandoned()
        count = services.import_batches_discard_stale(older_than=timedelta(hours=hours))
        self.stdout.write(
            _("%(abandoned)s stopped imports marked failed; %(count)s previews discarded.")
            % {"abandoned": abandoned, "count": count}
        )
