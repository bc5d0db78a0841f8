"""manage.py load_regions — add new and renamed administrative divisions from the installed code table."""

from django.core.management.base import BaseCommand

from customers.regions import load_regions


class Command(BaseCommand):
    help = "Load China's provinces, cities and districts into the region table (safe to repeat)."

    def handle(self, *args, **options):
        result = load_regions()
        self.stdout.write(f"regions added: {result['added']}, updated: {result['updated']}")
