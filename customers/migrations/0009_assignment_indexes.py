"""Assignment history (客户分配记录): 6 indexes instead of 13. The single-column indexes that a composite
index leads with go, and so do those of departments and pools, which are only looked up when one is deleted."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0008_customer_indexes_for_scale'),
        ('org', '0003_entity_keys'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='customerassignment',
            name='actor',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by'),
        ),
        migrations.AlterField(
            model_name='customerassignment',
            name='customer',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='customers.customer', verbose_name='customer'),
        ),
        migrations.AlterField(
            model_name='customerassignment',
            name='from_department',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.department', verbose_name='from department'),
        ),
        migrations.AlterField(
            model_name='customerassignment',
            name='from_owner',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='from'),
        ),
        migrations.AlterField(
            model_name='customerassignment',
            name='pool',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assignments', to='customers.pool', verbose_name='public pool'),
        ),
        migrations.AlterField(
            model_name='customerassignment',
            name='to_department',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.department', verbose_name='to department'),
        ),
        migrations.AlterField(
            model_name='customerassignment',
            name='to_owner',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='to'),
        ),
    ]
