"""Budget and voucher pages: bad input comes back with a Chinese message and the input kept;
a voucher's attachment is checked by content; a second submit writes nothing twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError
from jisheng.core.roles import Role
from jisheng.funds import services
from jisheng.funds.models import BudgetLine, Entry, Voucher

PDF = b"%PDF-1.4\n" + b"0" * 64


def _line_post(org, category, amount: str) -> dict[str, object]:
    return {
        "year": "2014",
        "level": "street",
        "category": category("publicity").pk,
        "org_unit": org.street.pk,
        "amount": amount,
        "note": "年初预算",
    }


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-5", "金额不能为负"), ("12345678901", "100亿"), ("3.141", "两位小数"), ("五十", "金额")],
)
def test_a_bad_budget_amount_shows_the_form_again(
    staff, client_for, org, category, amount, message
) -> None:
    response = client_for(staff).post("/funds/budget/new/", _line_post(org, category, amount))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'value="{amount}"' in html
    assert not BudgetLine.objects.exists()


def test_the_street_enters_and_changes_a_budget_line(staff, client_for, org, category) -> None:
    client = client_for(staff)
    response = client.post("/funds/budget/new/", _line_post(org, category, "20000.50"))
    assert response.status_code == 302
    line = BudgetLine.objects.get()
    assert line.amount == Decimal("20000.50")
    assert "20000.50" in client.get("/funds/budget/?year=2014").content.decode()
    edit = client.post(f"/funds/budget/{line.pk}/", {"amount": "25000", "note": "追加"})
    assert edit.status_code == 302
    line.refresh_from_db()
    assert line.amount == Decimal("25000.00")


def _voucher_post(org, category, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "day": "2014-03-01",
        "category": category("census").pk,
        "level": "street",
        "org_unit": org.street.pk,
        "amount": "1800.00",
        "description": "清理清查入户登记表印制",
    }
    data.update(extra)
    return data


def test_a_voucher_with_its_scan_is_recorded_once(staff, client_for, org, category) -> None:
    client = client_for(staff)
    scan = SimpleUploadedFile("发票.pdf", PDF, content_type="application/pdf")
    response = client.post("/funds/vouchers/new/", _voucher_post(org, category, attachment=scan))
    assert response.status_code == 302
    voucher = Voucher.objects.get()
    assert voucher.attachment.name.endswith(".pdf")
    assert "发票" not in voucher.attachment.name
    entry = Entry.objects.get(source="funds.voucher")
    assert entry.amount == Decimal("1800.00")
    assert entry.record_view == "funds:voucher_detail"
    again = client.post(
        "/funds/vouchers/new/",
        _voucher_post(org, category, attachment=SimpleUploadedFile("发票.pdf", PDF)),
    )
    assert again.status_code in {302, 409}  # followed, or "already saved"
    assert Voucher.objects.count() == 1
    opened = client.get(f"/funds/vouchers/{voucher.pk}/attachment/")
    assert opened.status_code == 200
    assert b"".join(opened.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.pdf", b"MZ\x90\x00" + b"0" * 64, "文件内容与文件类型不符"),
        ("run.exe", b"MZ\x90\x00", "只能上传"),
    ],
)
def test_a_voucher_attachment_is_checked_by_content(
    staff, client_for, org, category, name, content, message
) -> None:
    response = client_for(staff).post(
        "/funds/vouchers/new/",
        _voucher_post(org, category, attachment=SimpleUploadedFile(name, content)),
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Voucher.objects.exists()
    assert not Entry.objects.exists()


def test_a_voucher_without_its_scan_is_refused_on_the_page_and_in_the_service(
    staff, staff_actor, client_for, org, category
) -> None:
    response = client_for(staff).post("/funds/vouchers/new/", _voucher_post(org, category))
    assert response.status_code == 400
    assert "清理清查入户登记表印制" in response.content.decode()
    with pytest.raises(JishengError) as refused:
        services.voucher_create(
            actor=staff_actor,
            day=dt.date(2014, 3, 1),
            category=category("census"),
            level="street",
            org_unit=org.street,
            amount="5",
            description="无附件",
        )
    assert refused.value.code == "attachment"
    assert not Voucher.objects.exists()
    assert not Entry.objects.exists()


def test_a_voucher_is_reversed_with_a_reason_once(
    staff, staff_actor, org, category, client_for, scan
) -> None:
    voucher = services.voucher_create(
        actor=staff_actor,
        day=dt.date(2014, 3, 1),
        category=category("census"),
        level="street",
        org_unit=org.street,
        amount="500",
        description="入户核查误餐补助",
        attachment=scan(),
    )
    client = client_for(staff)
    refused = client.post(f"/funds/vouchers/{voucher.pk}/reverse/", {"reason": ""})
    assert refused.status_code == 400
    done = client.post(f"/funds/vouchers/{voucher.pk}/reverse/", {"reason": "重复登记"})
    assert done.status_code == 302
    voucher.refresh_from_db()
    assert voucher.is_reversed
    assert sum(e.amount for e in Entry.objects.filter(source_id=voucher.pk)) == 0
    with pytest.raises(Conflict):
        services.voucher_reverse(actor=staff_actor, voucher=voucher, reason="再次")


def test_a_future_or_empty_voucher_is_refused(staff_actor, org, category, scan) -> None:
    with pytest.raises(JishengError):
        services.voucher_create(
            actor=staff_actor,
            day=dt.date(2099, 1, 1),
            category=category("census"),
            level="street",
            org_unit=org.street,
            amount="5",
            description="x",
            attachment=scan(),
        )
    with pytest.raises(JishengError):
        services.voucher_create(
            actor=staff_actor,
            day=dt.date(2014, 1, 1),
            category=category("census"),
            level="street",
            org_unit=org.street,
            amount="0",
            description="x",
            attachment=scan(),
        )


def test_an_entry_links_to_its_record_for_who_may_open_it(
    staff, staff_actor, org, category, client_for, make_user, scan
) -> None:
    voucher = services.voucher_create(
        actor=staff_actor,
        day=dt.date(2014, 3, 1),
        category=category("census"),
        level="community",
        org_unit=org.c1,
        amount="500",
        description="入户核查",
        attachment=scan(),
    )
    entry = Entry.objects.get(source_id=voucher.pk)
    url = f"/funds/vouchers/{voucher.pk}/"
    assert url in client_for(staff).get(f"/funds/entries/{entry.pk}/").content.decode()
    worker = client_for(make_user(Role.COMMUNITY_WORKER))
    assert worker.get(f"/funds/entries/{entry.pk}/").status_code == 200
    assert worker.get(f"/funds/entries/{entry.pk}/").content.decode().count(url) == 1
    other = client_for(make_user(Role.COMMUNITY_WORKER, org.c2))
    assert other.get(f"/funds/entries/{entry.pk}/").status_code == 404
    assert Actor(user=staff)  # the staff reads it too
