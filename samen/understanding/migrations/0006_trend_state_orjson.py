"""The trend state is written and read with orjson (``models.StateEncoder``/``StateDecoder``):
the same JSON, several times faster for a state of megabytes. No change to the stored data;
SQLite copies the one-row table to record the field's new options."""

import samen.understanding.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('understanding', '0005_rulematch_lighter_writes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='trendstate',
            name='data',
            field=models.JSONField(blank=True, decoder=samen.understanding.models.StateDecoder, default=dict, encoder=samen.understanding.models.StateEncoder),
        ),
    ]
