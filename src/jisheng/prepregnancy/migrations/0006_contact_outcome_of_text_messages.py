"""A text message's contact says what the SMS backend did (queued or sent), not "reached".

Existing text-message contacts were logged as "reached" whatever happened. They become
"queued" when this instance writes messages to files (the default backend: nobody was told),
"sent" when it has a gateway backend; a couple shown as notified only because of a queued
message goes back to "to notify".
"""

from typing import Any

from django.conf import settings
from django.db import migrations, models

FILE_BACKEND = "jisheng.prepregnancy.sms.FileBackend"
# The notification part of prepregnancy.rules.contact_state, as it stands at this migration.
TOLD = {"reached", "appointment", "declined", "sms_sent"}


def relabel_text_messages(apps: Any, schema_editor: Any) -> None:
    contact_model = apps.get_model("prepregnancy", "Contact")
    couple_model = apps.get_model("prepregnancy", "TargetCouple")
    outcome = "sms_queued" if settings.JISHENG_SMS_BACKEND == FILE_BACKEND else "sms_sent"
    texts = contact_model.objects.filter(method="sms", outcome="reached")
    couple_ids = set(texts.values_list("couple_id", flat=True))
    texts.update(outcome=outcome)
    if outcome == "sms_sent":
        return
    for couple in couple_model.objects.filter(pk__in=couple_ids, state="notified"):
        outcomes = set(
            contact_model.objects.filter(couple=couple).values_list("outcome", flat=True)
        )
        if not outcomes & TOLD:
            couple.state = "to_notify"
            couple.save(update_fields=["state"])


def restore_reached(apps: Any, schema_editor: Any) -> None:
    contact_model = apps.get_model("prepregnancy", "Contact")
    contact_model.objects.filter(method="sms", outcome__in=["sms_queued", "sms_sent"]).update(
        outcome="reached"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("prepregnancy", "0005_drop_plain_reproductive_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contact",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("reached", "Reached"),
                    ("appointment", "Appointment made"),
                    ("declined", "Declined"),
                    ("not_reached", "Not reached"),
                    ("sms_queued", "Text message queued, not sent"),
                    ("sms_sent", "Text message sent"),
                ],
                max_length=16,
                verbose_name="outcome",
            ),
        ),
        migrations.RunPython(relabel_text_messages, restore_reached),
    ]
