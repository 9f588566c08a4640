"""User names are unique whatever their case: "Wang" and "wang" cannot both exist."""

from typing import Any

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Lower


def refuse_clashing_names(apps: Any, schema_editor: Any) -> None:
    """Stop with the clashing names rather than pick which account loses its name."""
    user_model = apps.get_model("accounts", "User")
    clashes = (
        user_model.objects.annotate(folded=Lower("username"))
        .values("folded")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("folded", flat=True)
    )
    names = sorted(
        user_model.objects.annotate(folded=Lower("username"))
        .filter(folded__in=list(clashes))
        .values_list("username", flat=True)
    )
    if names:
        raise RuntimeError(
            "User names that differ only in capital and small letters: "
            + ", ".join(names)
            + ". Rename all but one of each (they are different accounts), then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_second_factor_encrypted"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("core", "0003_clean_stored_text"),
    ]

    operations = [
        migrations.RunPython(refuse_clashing_names, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("username"),
                name="accounts_user_username_ci_unique",
            ),
        ),
    ]
