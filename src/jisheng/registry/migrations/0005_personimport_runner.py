from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_name_prefix_collation"),
    ]

    operations = [
        migrations.AddField(
            model_name="personimport",
            name="runner",
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
