"""The opportunity roll-up gains its all-days rows (rollup_sql.EVER): new trigger function, roll-up refilled."""

from django.conf import settings
from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from reports.rollup_sql import install as install_sql

    with schema_editor.connection.cursor() as cursor:
        install_sql(cursor, settings.TIME_ZONE)


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0004_opportunity_day_owner"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
