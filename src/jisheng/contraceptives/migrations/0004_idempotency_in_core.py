"""Idempotency keys moved to core (core.IdempotencyKey, with a request fingerprint).

Old keys are not copied: they guard retries of a request for minutes, and benefits keys
have no fingerprint to check a replay against."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("contraceptives", "0003_roster_first_supply"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="moverequestkey",
            name="contraceptives_request_key",
        ),
        migrations.DeleteModel(
            name="MoveRequestKey",
        ),
    ]
