"""What the accounts app stores, field by field, in PIPL's terms (the data inventory).

Personal: identifies or relates to a person (residents, and staff as users).
Sensitive: identity numbers, contact and bank details, health and reproductive data
(encrypted, or listed in ``plaintext_sensitive`` with the reason). A new field must be
added here, or ``tests/privacy/test_data_inventory.py`` fails."""

from __future__ import annotations

from jisheng.core.modules import DataInventory

INVENTORY = DataInventory(
    personal={
        "User": (
            "last_login",
            "username",
            "first_name",
            "last_name",
            "email",
            "date_joined",
            "full_name",
        ),
        "UserRole": (
            "user",
            "role",
            "granted_by",
        ),
        "LoginAttempt": (
            "username",
            "ip",
            "at",
        ),
        "ApiToken": (
            "user",
            "name",
            "last_used_at",
        ),
        "AuthenticatorDevice": ("user", "name", "created_at", "last_used_at"),
        "RecoveryCode": ("user",),
    },
    sensitive={
        "User": ("password",),
        # Second factors: whoever holds them signs in as the user.
        "AuthenticatorDevice": ("key",),
        "RecoveryCode": ("digest",),
    },
    neither={
        "User": (
            "id",
            "is_superuser",
            "is_staff",
            "is_active",
            "org_unit",
            "access_version",
        ),
        "UserRole": (
            "id",
            "granted_at",
        ),
        "LoginAttempt": (
            "id",
            "succeeded",
            "during_lock",
        ),
        "ApiToken": (
            "id",
            "prefix",
            "digest",
            "created_at",
            "revoked_at",
        ),
        "AuthenticatorDevice": (
            "id",
            "confirmed",
            "step",
            "t0",
            "digits",
            "tolerance",
            "drift",
            "last_t",
        ),
        "RecoveryCode": ("id", "salt"),
    },
    plaintext_sensitive={
        "User.password": "a salted one-way hash (Django's hasher), never decrypted",
        "RecoveryCode.digest": "a salted keyed digest (HMAC-SM3), never decrypted",
    },
)
