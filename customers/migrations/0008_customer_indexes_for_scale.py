"""Customer indexes for a table of millions of rows (see the Customer docstring): the pattern-ops twins of
text keys, the single-column indexes that a composite index leads with, and the indexes of
low-cardinality lookups go. Fewer indexes make each insert and each statement's planning cheaper.

SQLite rebuilds the table to alter its columns, which drops the FTS triggers and the raw index of
migration 0007: they are made again here (0007's forwards is idempotent and rebuilds the FTS index).
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def search_indexes_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        importlib.import_module("customers.migrations.0007_search_indexes").forwards(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0006_imports'),
        ('customers', '0007_search_indexes'),
        ('org', '0003_entity_keys'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='customer',
            name='city',
            field=models.ForeignKey(blank=True, db_index=False, limit_choices_to={'level': 2}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.region', verbose_name='city'),
        ),
        migrations.AlterField(
            model_name='customer',
            name='code',
            field=models.CharField(blank=True, help_text='Leave empty to number it by the numbering rule.', max_length=40, verbose_name='customer code'),
        ),
        migrations.AlterField(
            model_name='customer',
            name='credit_code',
            field=models.CharField(blank=True, max_length=18, verbose_name='unified social credit code'),
        ),
        migrations.AlterField(
            model_name='customer',
            name='deleted_by',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='customer',
            name='department',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.department', verbose_name='department'),
        ),
        migrations.AlterField(
            model_name='customer',
            name='district',
            field=models.ForeignKey(blank=True, db_index=False, limit_choices_to={'level': 3}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.region', verbose_name='district'),
        ),
        migrations.AlterField(
            model_name='customer',
            name='industry',
            field=models.ForeignKey(blank=True, db_index=False, limit_choices_to={'active': True, 'kind': 'industry'}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.lookupitem', verbose_name='industry'),
        ),
        migrations.AlterField(
            model_name='customer',
            name='name_key',
            field=models.CharField(blank=True, default='', editable=False, max_length=120),
        ),
        migrations.AlterField(
            model_name='customer',
            name='owner',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='owner'),
        ),
        migrations.AlterField(
            model_name='customer',
            name='phone_norm',
            field=models.CharField(blank=True, default='', editable=False, max_length=20),
        ),
        migrations.AlterField(
            model_name='customer',
            name='pool',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='customers', to='customers.pool', verbose_name='public pool'),
        ),
        migrations.AlterField(
            model_name='customer',
            name='previous_owner',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='previous owner'),
        ),
        migrations.AlterField(
            model_name='customer',
            name='province',
            field=models.ForeignKey(blank=True, db_index=False, limit_choices_to={'level': 1}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.region', verbose_name='province'),
        ),
        migrations.AlterField(
            model_name='customer',
            name='relationship',
            field=models.ForeignKey(blank=True, db_index=False, limit_choices_to={'active': True, 'kind': 'relationship'}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.lookupitem', verbose_name='relationship'),
        ),
        migrations.AlterField(
            model_name='customer',
            name='size',
            field=models.ForeignKey(blank=True, db_index=False, limit_choices_to={'active': True, 'kind': 'company_size'}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.lookupitem', verbose_name='company size'),
        ),
        migrations.AlterField(
            model_name='customer',
            name='source',
            field=models.ForeignKey(blank=True, db_index=False, limit_choices_to={'active': True, 'kind': 'customer_source'}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.lookupitem', verbose_name='source'),
        ),
        migrations.AlterField(
            model_name='customer',
            name='type',
            field=models.ForeignKey(blank=True, db_index=False, limit_choices_to={'active': True, 'kind': 'customer_type'}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.lookupitem', verbose_name='customer type'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['code'], name='customer_code_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['credit_code'], name='customer_credit_code_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['phone_norm'], name='customer_phone_norm_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['name_key'], name='customer_name_key_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['province'], name='customer_province_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['city'], name='customer_city_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['district'], name='customer_district_idx'),
        ),
        migrations.RunPython(search_indexes_again, migrations.RunPython.noop),
    ]
