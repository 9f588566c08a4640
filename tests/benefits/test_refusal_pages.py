"""A refused action shows the page it came from again, with the input and the reason,
instead of a dead-end error page; a POST-only address opened by GET gets a real page."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from jisheng.benefits.models import Application
from jisheng.benefits.services.applications import application_create
from jisheng.core.actors import Actor


@pytest.fixture
def application(make_family, program, worker) -> Application:
    _h, _w, (kid,) = make_family(
        husband_birth=dt.date(1990, 1, 1),
        wife_birth=dt.date(1992, 1, 1),
        children=(("M", dt.date(2025, 5, 5)),),
    )
    return application_create(
        actor=Actor(user=worker), program=program("childcare-subsidy"), person=kid
    )


def refused_input(page: str) -> dict[str, object]:
    start = page.index('id="refused-post"')
    body = page[page.index(">", start) + 1 : page.index("</script>", start)]
    return json.loads(body)  # type: ignore[no-any-return]


def test_return_without_a_comment_shows_the_application_again(
    client_for, worker, application
) -> None:
    detail = reverse("benefits:application_detail", args=[application.pk])
    state = application.state
    response = client_for(worker).post(
        reverse("benefits:application_act", args=[application.pk]),
        {"action": "return", "comment": ""},
        HTTP_REFERER=f"http://testserver{detail}",
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="refusal"' in page
    assert "back to home" not in page.lower()
    assert application.person.name in page  # the application page itself
    refused = refused_input(page)
    assert refused["page"] == detail
    assert refused["input"] == {"action": ["return"], "comment": [""]}
    application.refresh_from_db()
    assert application.state == state


def test_a_refused_step_shows_the_application_again_even_without_a_referring_page(
    client_for, worker, application
) -> None:
    # The step's own page is known: no need for the browser to say where it came from.
    response = client_for(worker).post(
        reverse("benefits:application_act", args=[application.pk]),
        {"action": "return", "comment": ""},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="refusal"' in page
    assert application.person.name in page


def test_get_on_a_post_only_address_is_a_page_with_a_way_back(
    client_for, worker, application
) -> None:
    detail = reverse("benefits:application_detail", args=[application.pk])
    response = client_for(worker).get(
        reverse("benefits:application_act", args=[application.pk]),
        HTTP_REFERER=f"http://testserver{detail}",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    page = response.content.decode()
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert f'href="{detail}"' in page
    assert "<h1>此地址只接受提交的表单</h1>" in page


def test_without_a_page_to_return_to_a_refusal_is_the_error_page(
    client_for, worker, application
) -> None:
    response = client_for(worker).post(
        reverse("benefits:document_upload", args=[application.pk]), {"title": "户口簿"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="refused-post"' not in page
    assert 'data-testid="refusal"' not in page


@pytest.mark.parametrize(
    ("typed", "said"), [("garbage", "2026-07-01"), ("1850-01-01", "1900")], ids=["text", "1850"]
)
def test_find_eligible_with_an_impossible_date_shows_the_list_and_says_why(
    client_for, worker, program, typed, said
) -> None:
    program("only-child-parents")
    response = client_for(worker).get(
        reverse("benefits:find_eligible", args=["only-child-parents"]),
        {"as_of": typed},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="as-of-error"' in page
    assert said in page.split('data-testid="as-of-error"')[1].split("</ul>")[0]
    assert f'value="{typed}"' in page  # the input kept
