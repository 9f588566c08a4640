"""Org tree writes: the system administrator adds units; codes follow GB/T 2260 and below."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from jisheng.accounts.access import access_changed
from jisheng.accounts.models import User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require
from jisheng.core.roles import Capability

# Codes by level: 6-digit county (GB/T 2260), 9-digit street, 12-digit community, 15-digit grid.
CODE_LENGTH = {"district": 6, "street": 9, "community": 12, "village": 12, "grid": 15}
CHILD_KINDS = {
    None: {"district"},
    "district": {"street"},
    "street": {"community", "village"},
    "community": {"grid"},
    "village": {"grid"},
    "grid": set(),
}


@transaction.atomic
def org_unit_create(
    *,
    actor: Actor | None,
    name: str,
    kind: str,
    code: str,
    parent: OrgUnit | None,
    is_demo: bool = False,
) -> OrgUnit:
    """Add a unit under ``parent``; its code must extend the parent's (``actor=None``: CLI)."""
    if actor is not None:
        require(actor, Capability.MANAGE_USERS)
    name, code = name.strip(), code.strip()
    if not name:
        raise JishengError(_("Name is required."), code="invalid")
    if kind not in CHILD_KINDS[parent.kind if parent else None]:
        raise JishengError(
            _("This kind of unit cannot sit under that parent."), code="invalid_kind"
        )
    if not re.fullmatch(rf"\d{{{CODE_LENGTH[kind]}}}", code):
        raise JishengError(
            _("The division code of this level has %(n)d digits.") % {"n": CODE_LENGTH[kind]},
            code="invalid_code",
        )
    if parent is not None and not code.startswith(parent.code):
        raise JishengError(_("The code must begin with the parent's code."), code="invalid_code")
    if OrgUnit.objects.filter(code=code).exists():
        raise Conflict(_("This division code exists already."), code="code_taken")
    unit = OrgUnit.objects.create(
        name=name,
        kind=kind,
        code=code,
        parent=parent,
        path=f"{parent.path if parent else '/'}{code}/",
        is_demo=is_demo,
    )
    audit.record(action=Action.CREATE, actor=actor, username="" if actor else "cli", obj=unit)
    # The new unit widens the scope of everyone at or above its parent (and of accounts
    # attached to no unit); nobody else's sessions need resolving again.
    codes = unit.path.strip("/").split("/")
    above = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes) - 1)]
    access_changed(User.objects.filter(Q(org_unit__path__in=above) | Q(org_unit__isnull=True)))
    return unit
