"""The calendar, form and download helpers every app shares (core.dates, core.forms,
core.exports.xlsx_response)."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

import pytest
from django import forms
from django.utils import timezone, translation
from openpyxl import load_workbook

from jisheng.core.dates import add_months, not_in_future
from jisheng.core.errors import JishengError
from jisheng.core.exports import XLSX_TYPE, csv_response, write_xlsx, xlsx_response
from jisheng.core.forms import DateInput


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2026, 3, 31), 1, dt.date(2026, 4, 30)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
        (dt.date(2026, 1, 15), -1, dt.date(2025, 12, 15)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2026, 5, 10), -600, dt.date(1976, 5, 10)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert add_months(day, months) == expected


def test_not_in_future_takes_today_and_refuses_tomorrow_with_the_given_code() -> None:
    today = timezone.localdate()
    assert not_in_future(today) == today
    with pytest.raises(JishengError) as default:
        not_in_future(today + dt.timedelta(days=1))
    assert default.value.code == "future_date"
    with pytest.raises(JishengError) as named:
        not_in_future(today + dt.timedelta(days=1), code="date_future")
    assert named.value.code == "date_future"


class _DayForm(forms.Form):
    day = forms.DateField(widget=DateInput(), initial=dt.date(2026, 3, 5))


def test_date_input_writes_its_initial_value_in_iso_under_the_chinese_locale() -> None:
    with translation.override("zh-hans"):
        html = str(_DayForm()["day"])
        # What a plain DateInput writes here (the locale's first input format): a date
        # field would show it blank.
        plain = forms.DateInput(attrs={"type": "date"}).render("day", dt.date(2026, 3, 5))
    assert 'type="date"' in html
    assert 'value="2026-03-05"' in html
    assert 'value="2026/03/05"' in plain


def test_xlsx_response_is_a_never_cached_download_with_the_chinese_name_kept() -> None:
    name = "居民名单-20260305.xlsx"
    response = xlsx_response(
        lambda handle: write_xlsx(handle, ["姓名"], [["张三"]], title="名单"), filename=name
    )
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Cache-Control"] == "no-store"
    assert f"filename*=utf-8''{quote(name)}" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)  # type: ignore[arg-type]
    response.close()

    sheet = load_workbook(io.BytesIO(content)).active
    assert [cell.value for cell in sheet["A"]] == ["姓名", "张三"]


def test_xlsx_response_closes_its_file_when_writing_fails() -> None:
    handles = []

    def fail(handle: object) -> None:
        handles.append(handle)
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        xlsx_response(fail, filename="x.xlsx")
    assert handles[0].closed  # type: ignore[attr-defined]


def test_csv_response_streams_a_never_cached_download_with_the_chinese_name_kept() -> None:
    name = "居民名单-20260305.csv"
    response = csv_response(["姓名"], [["=1+1"]], filename=name)
    assert response["Cache-Control"] == "no-store"
    assert f"filename*=utf-8''{quote(name)}" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode()  # type: ignore[arg-type]
    # A cell that a spreadsheet would run as a formula arrives as text (csv_chunks escapes it).
    assert content == "\ufeff姓名\r\n'=1+1\r\n"
