"""API keys: a role and the brands it may touch. Only the sha256 of a key is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.tables import ApiKeyRow, utcnow
from assistant.errors import InputError

KEY_PREFIX = "otk_"


class Role(StrEnum):
    operator = "operator"
    brand_owner = "brand_owner"
    qa = "qa"
    admin = "admin"


class Permission(StrEnum):
    read = "read"  # inbox, mentions, cases
    submit = "submit"  # send mentions in, regenerate drafts
    review = "review"  # edit, approve, reject, mark published
    manage_knowledge = "manage knowledge"  # a brand's profile, voice guide, matrix and facts
    read_evals = "read eval runs"  # the console's list of eval runs and their reports


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.operator: frozenset({Permission.read, Permission.submit, Permission.review}),
    Role.brand_owner: frozenset({Permission.read, Permission.review, Permission.manage_knowledge}),
    Role.qa: frozenset({Permission.read, Permission.read_evals}),
    Role.admin: frozenset(Permission),
}


@dataclass(frozen=True)
class Caller:
    """Who is calling: the key's id, role and brands (an admin may touch every brand)."""

    key_id: str
    role: Role
    brands: frozenset[str]

    def may(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]

    @property
    def all_brands(self) -> bool:
        return self.role is Role.admin

    def may_touch(self, brand: str) -> bool:
        return self.all_brands or brand in self.brands


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(db: Session, role: Role, brands: list[str], label: str | None = None) -> tuple[ApiKeyRow, str]:
    """A new key; the secret is returned once and never stored."""
    if role is not Role.admin and not brands:
        raise InputError("a key needs at least one --brand (only an admin key may touch every brand)")
    key_id = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(24)}"
    row = ApiKeyRow(id=key_id, key_hash=hash_key(secret), role=role.value, brands=sorted(set(brands)), label=label)
    db.add(row)
    db.commit()
    return row, secret


def revoke_key(db: Session, key_id: str) -> ApiKeyRow:
    row = db.get(ApiKeyRow, key_id)
    if row is None:
        raise InputError(f"no key with id {key_id!r}")
    row.revoked_at = row.revoked_at or utcnow()
    db.commit()
    return row


def list_keys(db: Session) -> list[ApiKeyRow]:
    return list(db.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at)))


def find_caller(db: Session, secret: str) -> Caller | None:
    """The caller behind a key; None for an unknown or revoked key (looked up on every request)."""
    row = db.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == hash_key(secret)))
    return _caller(row)


def find_caller_by_id(db: Session, key_id: str) -> Caller | None:
    """The caller behind a key id (a console session holds the id, never the key); None if revoked."""
    return _caller(db.get(ApiKeyRow, key_id))


def _caller(row: ApiKeyRow | None) -> Caller | None:
    if row is None or row.revoked_at is not None:
        return None
    return Caller(key_id=row.id, role=Role(row.role), brands=frozenset(row.brands))
