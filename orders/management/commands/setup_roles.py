from django.core.management.base import BaseCommand

from core.models import RecordChange
from orders.roles import roles_setup


class Command(BaseCommand):
    help = "Create or correct the role groups (Clerk, Warehouse, Customer service, Finance, Supervisor)."

    def handle(self, *args, **options):
        before = RecordChange.objects.count()
        for name, group in roles_setup().items():
            self.stdout.write(f"{name}: {group.permissions.count()} permissions")
        changed = RecordChange.objects.count() - before
        self.stdout.write(f"{changed} groups changed; their old and new permissions are recorded (core.RecordChange).")
