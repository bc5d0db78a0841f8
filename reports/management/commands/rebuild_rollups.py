"""Recompute the report roll-ups from the tables and re-create their triggers for the current TIME_ZONE."""

from django.core.management.base import BaseCommand
from django.db import connection

from reports import rollups


class Command(BaseCommand):
    help = "Recompute the report roll-ups (PostgreSQL) after a TIME_ZONE change or a bulk load."

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("Nothing to do: roll-ups are kept on PostgreSQL only.")
            return
        rollups.rebuild()
        self.stdout.write(self.style.SUCCESS("Roll-ups rebuilt."))
