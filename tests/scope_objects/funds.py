from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.funds import services
from jisheng.funds.categories import categories_ensure
from jisheng.funds.models import Category, Entry
from scope_objects import ForeignContext


def make(ctx: ForeignContext) -> dict[str, str]:
    """A budget line, a voucher and its entry of community 2."""
    categories_ensure()
    street = Actor(user=ctx.make_user(Role.STREET_STAFF, ctx.org.street))
    census = Category.objects.get(code="census")
    line = services.budget_set(
        actor=street,
        year=2014,
        level="community",
        category=census,
        org_unit=ctx.org.c2,
        amount="100.00",
    )
    voucher = services.voucher_create(
        actor=street,
        day=dt.date(2014, 5, 1),
        category=census,
        level="community",
        org_unit=ctx.org.c2,
        amount="50.00",
        description="二社区清理清查",
        attachment=SimpleUploadedFile("发票.pdf", b"%PDF-1.4\n" + b"0" * 64),
    )
    entry = Entry.objects.get(source=services.VOUCHER_SOURCE, source_id=voucher.pk)
    return {
        "budget_line_id": str(line.pk),
        "voucher_id": str(voucher.pk),
        "entry_id": str(entry.pk),
    }
