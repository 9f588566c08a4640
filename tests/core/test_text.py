"""Text from people is checked at one place (core.text): NFC, stripped, no control
characters; exports drop what a workbook cannot hold."""

from __future__ import annotations

import io
import unicodedata

import pytest
from django import forms
from openpyxl import load_workbook

from jisheng.core import text
from jisheng.core.exports import safe_cell, write_xlsx


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x0b", "\x0c", "\x1f", "\x7f", "\x85", "\x9f"])
def test_control_characters_are_refused(bad: str) -> None:
    with pytest.raises(text.ControlCharacters) as caught:
        text.clean_text(f"张{bad}三", multiline=True)
    assert "控制字符" in str(caught.value.message)


def test_line_breaks_only_where_text_runs_over_lines() -> None:
    assert text.clean_text("第一行\n第二行\t完", multiline=True) == "第一行\n第二行\t完"
    with pytest.raises(text.ControlCharacters):
        text.clean_text("第一行\n第二行", multiline=False)


def test_text_is_stripped_and_in_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "  Zoë  ")
    assert text.clean_text(decomposed) == "Zoë"


def test_api_input_is_cleaned_all_the_way_down() -> None:
    assert text.clean_input({"a": [" x ", {"b": "y\n"}], "n": 3}) == {
        "a": ["x", {"b": "y"}],
        "n": 3,
    }
    with pytest.raises(text.ControlCharacters):
        text.clean_input({"a": ["ok", {"b": "bad\x01"}]})


class NoteForm(text.Form):
    name = forms.CharField()
    note = forms.CharField(widget=forms.Textarea, required=False)


def test_a_form_refuses_control_characters_field_by_field() -> None:
    form = NoteForm({"name": "王\x0b芳", "note": "两行\n文字"})
    assert not form.is_valid()
    assert "控制字符" in form.errors["name"][0]
    assert "note" not in form.errors
    assert NoteForm({"name": "王芳", "note": "两行\n文字"}).is_valid()


def test_a_cell_with_a_stored_control_character_does_not_break_the_workbook() -> None:
    buffer = io.BytesIO()
    write_xlsx(buffer, ["姓名"], [["王\x01芳"], ["\x0b=1+1"]], title="名单", text_columns=[0])
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["王芳", "'=1+1"]


def test_safe_cell_drops_what_xml_forbids_and_keeps_line_breaks() -> None:
    assert safe_cell("a\x00b\tc\nd") == "ab\tc\nd"
