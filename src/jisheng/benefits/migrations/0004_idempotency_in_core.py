"""Idempotency keys moved to core (core.IdempotencyKey, with a request fingerprint).

Old keys are not copied: they guard retries of a request for minutes, and benefits keys
have no fingerprint to check a replay against."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0003_certification_revoked_by"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="idempotencykey",
            name="benefits_idempotency_unique",
        ),
        migrations.DeleteModel(
            name="IdempotencyKey",
        ),
    ]
