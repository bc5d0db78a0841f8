"""manage.py rebuild_customer_keys — recompute customers' search keys after a bulk load outside the models."""

from django.core.management.base import BaseCommand

from customers.search import rebuild_search_keys


class Command(BaseCommand):
    help = "Recompute the stored search keys (pinyin, phone, contacts) of every customer."

    def handle(self, *args, **options):
        self.stdout.write(f"customers updated: {rebuild_search_keys()}")
