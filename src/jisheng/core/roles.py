"""Roles of DESIGN.md and what each may do. Plain data: no models, importable anywhere."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    STREET_STAFF = "street_staff", _("Street staff")
    LEADER = "leader", _("Leader")
    DISTRICT_SUPERVISOR = "district_supervisor", _("District supervisor")
    PARTNER_REPORTER = "partner_reporter", _("Partner reporter")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    SECURITY_AUDITOR = "security_auditor", _("Security auditor")
    # 案件承办人: investigates 两非 case files of one street, and nothing else.
    CASE_OFFICER = "case_officer", _("Case officer")


# 三权分立: each of these must be the only role of its holder.
SEPARATED_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.SECURITY_AUDITOR})

# Roles one account may hold together. Empty: every account holds a single role. Each role
# has its own home page, menu and data scope, and two business roles on one account would let
# one person do both steps a workflow keeps apart (street staff reviews an application, the
# leader approves it). Someone with two duties gets two accounts, each audited as what it is.
COMBINABLE_ROLES: frozenset[frozenset[Role]] = frozenset()


def roles_combine(held: frozenset[Role] | set[Role], added: Role) -> bool:
    """Whether an account holding ``held`` may also hold ``added``."""
    return all(frozenset({role, added}) in COMBINABLE_ROLES for role in held)


# The org level a role's holder must be attached to (None: any unit).
ROLE_UNIT_KINDS: dict[Role, frozenset[str] | None] = {
    Role.COMMUNITY_WORKER: frozenset({"community", "village"}),
    Role.STREET_STAFF: frozenset({"street"}),
    Role.LEADER: frozenset({"street", "district"}),
    Role.DISTRICT_SUPERVISOR: frozenset({"district"}),
    Role.PARTNER_REPORTER: frozenset({"community", "village", "street"}),
    Role.CASE_OFFICER: frozenset({"street"}),
    Role.SYSTEM_ADMIN: None,
    Role.SECURITY_ADMIN: None,
    Role.SECURITY_AUDITOR: None,
}


class Capability(StrEnum):
    VIEW_PERSONAL = "view_personal"
    EDIT_REGISTRY = "edit_registry"
    REPORT_AS_PARTNER = "report_as_partner"
    MANAGE_USERS = "manage_users"
    MANAGE_ROLES = "manage_roles"
    VIEW_AUDIT = "view_audit"
    # Health and reproductive data: only roles whose duty is health services.
    VIEW_HEALTH = "view_health"
    # Benefits: take applications and do the community check (社居初审), visits.
    APPLY_BENEFITS = "apply_benefits"
    # Benefits: street review, public notice, programs, payment batches, re-verification.
    REVIEW_BENEFITS = "review_benefits"
    # Benefits: final approval (审批).
    APPROVE_BENEFITS = "approve_benefits"
    # Contraceptive stock: moves, stocktakes and the roster at the user's points.
    MANAGE_STOCK = "manage_stock"
    # Counts and totals over the user's area (indicators, supply reports), whatever duty the
    # counted records belong to; never a list of them (ScopedQuerySet.counted_for).
    VIEW_AGGREGATES = "view_aggregates"
    # Publicity: record activities and their photos in the user's community.
    RECORD_PUBLICITY = "record_publicity"
    # Publicity: the "五个一" assets, trainings and street-wide activities.
    MANAGE_PUBLICITY = "manage_publicity"
    # Funds: read budget lines, spending entries and the execution report in one's area.
    VIEW_FUNDS = "view_funds"
    # Funds: enter the year's budget and record or reverse vouchers (street staff).
    MANAGE_FUNDS = "manage_funds"
    # Targets: read target books, assessments and meetings in the user's area.
    VIEW_TARGETS = "view_targets"
    # Targets: draft and sign books, run assessments, record meetings (街道计生办).
    MANAGE_TARGETS = "manage_targets"
    # Targets: approve (and so freeze) an assessment (分管领导).
    APPROVE_ASSESSMENTS = "approve_assessments"
    # Governance: read B-ultrasound devices, inspections, dispensings and their review list.
    VIEW_SUPERVISION = "view_supervision"
    # Governance: record devices, operators, pledges, inspections, outlets and dispensings.
    MANAGE_SUPERVISION = "manage_supervision"
    # Governance: leading groups and department duties of the user's unit.
    MANAGE_LEADING_GROUPS = "manage_leading_groups"
    # Governance: read 两非 case files (case officers and leaders only).
    VIEW_CASES = "view_cases"
    # Governance: open, investigate, transfer and close 两非 case files (case officers).
    MANAGE_CASES = "manage_cases"
    # The working-day calendar: enter each year's public holidays and make-up working days. One
    # calendar serves every street of a deployment, so it is configuration (system administrator).
    MANAGE_CALENDAR = "manage_calendar"


ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.COMMUNITY_WORKER: frozenset(
        {
            Capability.VIEW_PERSONAL,
            Capability.EDIT_REGISTRY,
            Capability.VIEW_HEALTH,
            Capability.APPLY_BENEFITS,
            Capability.MANAGE_STOCK,
            Capability.RECORD_PUBLICITY,
            Capability.VIEW_FUNDS,
            Capability.VIEW_TARGETS,
        }
    ),
    Role.STREET_STAFF: frozenset(
        {
            Capability.VIEW_PERSONAL,
            Capability.EDIT_REGISTRY,
            Capability.VIEW_HEALTH,
            Capability.APPLY_BENEFITS,
            Capability.REVIEW_BENEFITS,
            Capability.APPROVE_BENEFITS,
            Capability.MANAGE_STOCK,
            Capability.RECORD_PUBLICITY,
            Capability.MANAGE_PUBLICITY,
            Capability.VIEW_FUNDS,
            Capability.MANAGE_FUNDS,
            Capability.VIEW_TARGETS,
            Capability.MANAGE_TARGETS,
            Capability.VIEW_SUPERVISION,
            Capability.MANAGE_SUPERVISION,
            Capability.MANAGE_LEADING_GROUPS,
        }
    ),
    Role.LEADER: frozenset(
        {
            Capability.VIEW_PERSONAL,
            Capability.APPROVE_BENEFITS,
            Capability.VIEW_AGGREGATES,
            Capability.VIEW_FUNDS,
            Capability.VIEW_TARGETS,
            Capability.APPROVE_ASSESSMENTS,
            Capability.VIEW_SUPERVISION,
            Capability.VIEW_CASES,
        }
    ),
    Role.DISTRICT_SUPERVISOR: frozenset(
        {
            Capability.VIEW_PERSONAL,
            Capability.VIEW_AGGREGATES,
            Capability.VIEW_FUNDS,
            Capability.VIEW_TARGETS,
            Capability.VIEW_SUPERVISION,
            Capability.MANAGE_LEADING_GROUPS,
        }
    ),
    Role.PARTNER_REPORTER: frozenset({Capability.REPORT_AS_PARTNER}),
    # Reads the review lists a clue can come from; no personal data beyond the cases.
    Role.CASE_OFFICER: frozenset(
        {Capability.VIEW_CASES, Capability.MANAGE_CASES, Capability.VIEW_SUPERVISION}
    ),
    Role.SYSTEM_ADMIN: frozenset({Capability.MANAGE_USERS, Capability.MANAGE_CALENDAR}),
    Role.SECURITY_ADMIN: frozenset({Capability.MANAGE_ROLES}),
    Role.SECURITY_AUDITOR: frozenset({Capability.VIEW_AUDIT}),
}
