"""The exchange between two real instances on loopback: two server processes, two databases,
signed HTTP, no mocked transport. One pair serves the whole module."""

from __future__ import annotations

import base64
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jisheng.core.idnumber import id_number_check_digit
from support.exchange_instances import (
    BIN,
    ROOT,
    Instance,
    control_sockets,
    drop_pair,
    start_pair,
)

MESSAGES = "/api/exchange/peer/messages"
_serial = iter(range(100, 999))


def id_number(region: str = "370402") -> str:
    body = f"{region}19900101{next(_serial):03d}"
    return body + id_number_check_digit(body)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Instance, Instance]]:
    a, b = start_pair(tmp_path_factory.mktemp("exchange"))
    try:
        yield a, b
    finally:
        drop_pair(a, b)


def test_each_instance_keeps_its_control_socket_if_any_in_its_own_folder(pair) -> None:
    a, b = pair
    assert a.user_home is not None
    assert a.user_home == b.user_home  # one host user runs both
    # Nothing in the shared home, where gunicorn's default socket would be taken over.
    assert control_sockets(a.user_home) == []
    for own, other in ((a, b), (b, a)):
        assert not any(other.home in ctl.parents for ctl in control_sockets(own.home))


def post(instance: Instance, signed: dict) -> httpx.Response:
    return httpx.post(
        instance.url + MESSAGES,
        content=base64.b64decode(signed["body"]),
        headers=signed["headers"],
        timeout=10,
    )


def test_a_notice_from_a_reaches_b_and_b_feedback_closes_it(pair) -> None:
    a, b = pair
    known = id_number()
    b.call("add_person", known, "李明", b.info["community"])
    unknown = id_number()
    a.call("open_records", [known, unknown], b.region, a.info["community"])
    assert a.call("drain")["delivered"] == 2

    worklist = {n["message_id"]: n for n in b.call("notices", "received")}
    street_list = {n["message_id"]: n for n in b.call("notices", "received", "staff")}
    sent = a.call("notices", "sent")
    assert len(sent) == 2
    assert all(n["feedback_on"] is None for n in sent)
    # The known person's notice is the community's; the unknown one the street's only.
    in_community = [n for n in worklist.values() if n["person"] is not None]
    assert len(in_community) == 1
    assert in_community[0]["community"] == b.info["community"]
    unknown_notice = next(n for n in street_list.values() if n["person"] is None)
    assert unknown_notice["community"] == b.info["street"]
    assert unknown_notice["message_id"] not in worklist

    b.call("feedback", in_community[0]["id"], "已建立服务档案，孕前检查已预约")
    assert b.call("drain")["delivered"] == 1
    closed = {n["message_id"]: n for n in a.call("notices", "sent")}
    answered = closed[in_community[0]["message_id"]]
    assert answered["feedback"] == "已建立服务档案，孕前检查已预约"
    assert answered["feedback_on"] is not None
    assert closed[unknown_notice["message_id"]]["feedback_on"] is None


def test_b_killed_while_a_sends_every_message_applied_exactly_once(pair) -> None:
    a, b = pair
    before = b.call("notice_counts")
    numbers = [id_number() for _ in range(150)]
    a.call("open_records", numbers, b.region, a.info["community"])
    a.call("drain_in_background")
    time.sleep(0.4)
    b.kill_server()
    time.sleep(0.5)
    b.start_server()
    outbox = a.call("drain_until_done", 60)
    assert outbox["pending"] == 0
    assert outbox["refused"] == 0
    assert outbox["max_attempts"] >= 1  # some sends did fail while B was down
    after = b.call("notice_counts")
    assert after["received"] - before["received"] == 150
    assert after["distinct"] == after["received"]
    assert after["inbox"] - before["inbox"] >= 150


def test_a_duplicate_is_acknowledged_and_not_applied_twice(pair) -> None:
    a, b = pair
    a.call("open_records", [id_number()], b.region, a.info["community"])
    a.call("drain")
    before = b.call("notice_counts")
    again = post(b, a.call("signed", -1))
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate"
    assert b.call("notice_counts") == before


def test_a_tampered_body_is_refused(pair) -> None:
    a, b = pair
    signed = a.call("fresh_notify", b.region, id_number())
    body = base64.b64decode(signed["body"]).replace("王五".encode(), "赵六".encode())
    signed["body"] = base64.b64encode(body).decode()
    before = b.call("notice_counts")
    refused = post(b, signed)
    assert refused.status_code == 401
    assert refused.json()["code"] == "bad_signature"
    assert b.call("notice_counts") == before
    assert "bad_signature" in b.call("refusals")


def test_a_message_signed_by_an_unregistered_key_is_refused(pair) -> None:
    a, b = pair
    signed = a.call("fresh_notify", b.region, id_number())
    data = base64.b64decode(signed["body"])
    stranger = Ed25519PrivateKey.generate()
    signed["headers"]["X-Jisheng-Signature"] = base64.b64encode(stranger.sign(data)).decode()
    refused = post(b, signed)
    assert (refused.status_code, refused.json()["code"]) == (401, "bad_signature")
    # The same key claiming a region nobody registered.
    signed["headers"]["X-Jisheng-Region"] = "110101"
    refused = post(b, signed)
    assert (refused.status_code, refused.json()["code"]) == (403, "unknown_peer")
    assert "unknown_peer" in b.call("refusals")


def test_a_replayed_old_message_is_refused(pair) -> None:
    a, b = pair
    a.call("open_records", [id_number()], b.region, a.info["community"])
    a.call("drain")
    before = b.call("notice_counts")
    # A delivered message as captured an hour ago, sent again: refused for its time before
    # anything else is looked at.
    refused = post(b, a.call("signed", -1, 3600))
    assert (refused.status_code, refused.json()["code"]) == (400, "stale_message")
    # Nor does an hour-old message that was never delivered get in.
    a.call("open_records", [id_number()], b.region, a.info["community"])
    refused = post(b, a.call("signed", -1, 3600))
    assert (refused.status_code, refused.json()["code"]) == (400, "stale_message")
    assert b.call("notice_counts") == before
    assert "stale_message" in b.call("refusals")


def test_peer_command_sends_a_test_message(pair) -> None:
    a, b = pair
    listed = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(BIN / "jisheng"), "peer", "list"],
        env=a.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert b.region in listed.stdout
    sent = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(BIN / "jisheng"), "peer", "send-test", b.region],
        env=a.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.startswith("delivered")
