"""What makes two posts "the same form sent again": the view, its address and its input —
not the CSRF token or the showing's key."""

from __future__ import annotations

from django.test import RequestFactory

from jisheng.core.resubmission import sent_content


def test_the_same_button_on_two_records_is_not_a_resend() -> None:
    factory = RequestFactory()
    first = factory.post("/targets/assessments/1/approve/", {"csrfmiddlewaretoken": "a"})
    second = factory.post("/targets/assessments/2/approve/", {"csrfmiddlewaretoken": "a"})
    again = factory.post("/targets/assessments/1/approve/", {"csrfmiddlewaretoken": "b"})
    view = "targets:assessment_approve"
    assert sent_content(first, view) != sent_content(second, view)
    assert sent_content(first, view) == sent_content(again, view)


def test_other_input_is_another_form() -> None:
    factory = RequestFactory()
    one = factory.post("/x/", {"name": "春节", "request_key": "k1"})
    other = factory.post("/x/", {"name": "元旦", "request_key": "k1"})
    shown_again = factory.post("/x/", {"name": "春节", "request_key": "k2"})
    assert sent_content(one, "v") != sent_content(other, "v")
    assert sent_content(one, "v") == sent_content(shown_again, "v")
