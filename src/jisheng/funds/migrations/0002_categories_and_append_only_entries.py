"""The spending categories as data, under the codes sources name (core.spending), and the
database's own refusal to rewrite a ledger entry (deletes are refused by the app; test
databases must still be able to flush the table)."""

from typing import Any

from django.db import migrations

from jisheng.core.db import AppendOnly

CATEGORIES = (
    ("benefits", "奖励扶助金"),
    ("service_station", "服务站建设"),
    ("governance", "城区管理与打击两非"),
    ("publicity", "宣传"),
    ("prepregnancy", "免费孕检"),
    ("census", "清理清查"),
    ("contraceptives", "药具"),
    ("training", "培训"),
    ("other", "其他"),
)


def seed_categories(apps: Any, schema_editor: Any) -> None:
    category = apps.get_model("funds", "Category")
    for order, (code, name) in enumerate(CATEGORIES, start=1):
        category.objects.update_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_ledger")]
    operations = [
        migrations.RunPython(seed_categories, migrations.RunPython.noop),
        AppendOnly("funds_entry", message="the funds ledger is append-only"),
    ]
