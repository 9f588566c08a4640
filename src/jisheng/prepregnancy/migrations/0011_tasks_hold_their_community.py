"""Follow-ups and referrals hold their community (the pregnancy's, the couple's), so their
scope and a worker's own counts read a column of the task instead of joining the pregnancies
or couples of the whole area; the own-task indexes hold it too."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

COPY = (
    """UPDATE prepregnancy_followup SET community_id = (
        SELECT community_id FROM prepregnancy_pregnancy
        WHERE prepregnancy_pregnancy.id = prepregnancy_followup.pregnancy_id)""",
    """UPDATE prepregnancy_referral SET community_id = (
        SELECT community_id FROM prepregnancy_targetcouple
        WHERE prepregnancy_targetcouple.id = prepregnancy_referral.couple_id)""",
)


def _community(null: bool) -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="core.orgunit",
        verbose_name="community",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_working_day_calendar"),
        ("prepregnancy", "0010_own_tasks_by_due_date"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="followup", name="prepregnancy_followup_mine"),
        migrations.RemoveIndex(model_name="referral", name="prepregnancy_referral_mine"),
        migrations.AddField(model_name="followup", name="community", field=_community(True)),
        migrations.AddField(model_name="referral", name="community", field=_community(True)),
        migrations.RunSQL(COPY, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(model_name="followup", name="community", field=_community(False)),
        migrations.AlterField(model_name="referral", name="community", field=_community(False)),
        migrations.AddIndex(
            model_name="followup",
            index=models.Index(
                fields=["assignee", "state", "due_date", "community"],
                name="prepregnancy_followup_own",
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["assignee", "state", "due_date", "community"],
                name="prepregnancy_referral_own",
            ),
        ),
    ]
