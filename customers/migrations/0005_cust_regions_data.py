# Loads China's administrative divisions (customers.regions). Keep this data migration when the
# schema migrations are regenerated: it must run after the Region table exists.

from django.db import migrations


def load(apps, schema_editor):
    from customers.regions import load_regions

    load_regions(apps.get_model("customers", "Region"))


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0004_cust_fields"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
