"""The categories a new instance starts with (seeded by migration 0002), under the codes of
core.spending.SpendingCategory, in the order the execution report shows them."""

from __future__ import annotations

from jisheng.core.spending import SpendingCategory
from jisheng.funds.models import Category

CATEGORIES = (
    (SpendingCategory.BENEFITS, "奖励扶助金"),
    (SpendingCategory.SERVICE_STATION, "服务站建设"),
    (SpendingCategory.GOVERNANCE, "城区管理与打击两非"),
    (SpendingCategory.PUBLICITY, "宣传"),
    (SpendingCategory.PREPREGNANCY, "免费孕检"),
    (SpendingCategory.CENSUS, "清理清查"),
    (SpendingCategory.CONTRACEPTIVES, "药具"),
    (SpendingCategory.TRAINING, "培训"),
    (SpendingCategory.OTHER, "其他"),
)


def categories_ensure() -> dict[str, int]:
    """Category id by code, seeding the standard ones when the table is empty (a test
    database flushed after a committing test loses what the migration put there)."""
    found = dict(Category.objects.values_list("code", "pk"))
    if not found:
        for order, (code, name) in enumerate(CATEGORIES, start=1):
            Category.objects.get_or_create(code=code, defaults={"name": name, "order": order})
        found = dict(Category.objects.values_list("code", "pk"))
    return found
