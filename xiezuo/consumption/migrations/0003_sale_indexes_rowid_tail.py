# The sale list indexes become ListIndex: the same indexes on PostgreSQL; on
# SQLite without the trailing id, which every SQLite index entry ends in
# already (as the rowid), so they are smaller and rebuild faster.

import lib.indexes
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('consumption', '0002_seed_channels'),
        ('pairings', '0001_initial'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='sale',
            name='sale_pairing_date',
        ),
        migrations.RemoveIndex(
            model_name='sale',
            name='sale_buyer_date',
        ),
        migrations.RemoveIndex(
            model_name='sale',
            name='sale_product_date',
        ),
        migrations.RemoveIndex(
            model_name='sale',
            name='sale_supplier_date',
        ),
        migrations.RemoveIndex(
            model_name='sale',
            name='sale_channel_date',
        ),
        migrations.AddIndex(
            model_name='sale',
            index=lib.indexes.ListIndex(fields=['pairing', 'date', 'id'], name='sale_pairing_date'),
        ),
        migrations.AddIndex(
            model_name='sale',
            index=lib.indexes.ListIndex(fields=['buyer', 'date', 'id'], name='sale_buyer_date'),
        ),
        migrations.AddIndex(
            model_name='sale',
            index=lib.indexes.ListIndex(fields=['product', 'date', 'id'], name='sale_product_date'),
        ),
        migrations.AddIndex(
            model_name='sale',
            index=lib.indexes.ListIndex(fields=['supplier', 'date', 'id'], name='sale_supplier_date'),
        ),
        migrations.AddIndex(
            model_name='sale',
            index=lib.indexes.ListIndex(fields=['channel', 'pairing', 'date', 'id'], name='sale_channel_date'),
        ),
    ]
