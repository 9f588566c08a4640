"""Life events of a kind by date (``LifeEvent.Meta.indexes``): governance's births without a
pregnancy record (``governance.selectors.pregnancies.births_without_pregnancy``) read the
births of the last year newest first from it and stop at the page; the community, last, is
tested in the index before the row is read (a community's capped count walks the street's
births of the year)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0015_person_community_birth_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="lifeevent",
            index=models.Index(
                fields=["kind", "date", "id", "community"], name="registry_event_kind_date"
            ),
        ),
    ]
