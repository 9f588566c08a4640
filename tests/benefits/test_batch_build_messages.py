"""A batch build that finds nothing to pay says why: nobody enrolled is not "all paid"."""

from __future__ import annotations

import pytest

from jisheng.benefits.services import payments
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict


def test_a_build_with_nobody_enrolled_does_not_claim_everyone_was_paid(rural, street) -> None:
    with pytest.raises(Conflict) as refused:
        payments.batch_build(actor=Actor(user=street), program=rural, period_key="2026")

    message = str(refused.value.message)
    assert "没有人登记享受" in message
    assert "均已发放" not in message


def test_a_build_after_everyone_was_paid_says_so(beneficiaries, rural, street) -> None:
    payments.batch_build(actor=Actor(user=street), program=rural, period_key="2026")

    with pytest.raises(Conflict) as refused:
        payments.batch_build(actor=Actor(user=street), program=rural, period_key="2026")

    assert "均已发放" in str(refused.value.message)
