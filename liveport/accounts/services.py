"""Account use cases: sign-up, sign-in, tokens, bulk provisioning, the audit log."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from liveport.accounts.domain import (
    Principal,
    Role,
    is_valid_email,
    normalise_email,
    password_problem,
    token_digest,
)
from liveport.accounts.models import ApiToken, AuditEntry, User
from liveport.accounts.tokens import sign_token
from liveport.core.clock import utcnow
from liveport.core.db import Database
from liveport.core.errors import Conflict, NotFound, Unauthenticated, ValidationFailed
from liveport.core.ids import new_token

_hasher = PasswordHasher()
# Verifying against this keeps a sign-in for an unknown e-mail as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _password_matches(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _check_new_account(email: str, password: str | None) -> str:
    email = normalise_email(email)
    if not is_valid_email(email):
        raise ValidationFailed("That is not an e-mail address.", code="invalid_email")
    if password is not None and (problem := password_problem(password)):
        raise ValidationFailed(problem, code="weak_password")
    return email


def create_user(
    db: Database,
    *,
    email: str,
    password: str | None,
    role: Role,
    display_name: str,
    exhibitor_id: int | None = None,
    actor: Principal | None = None,
) -> User:
    email = _check_new_account(email, password)
    if role is Role.MERCHANT and exhibitor_id is None:
        raise ValidationFailed("A merchant account belongs to an exhibitor.", code="exhibitor_required")
    with db.transaction() as session:
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            raise Conflict("That e-mail address already has an account.", code="email_taken")
        user = User(
            email=email,
            display_name=display_name.strip()[:80] or email.split("@")[0],
            role=role.value,
            password_hash=hash_password(password) if password else None,
            exhibitor_id=exhibitor_id,
        )
        session.add(user)
        session.flush()
        if actor is not None:
            record_audit(session, actor, "user.create", "user", user.id, {"role": role.value})
        return user


def issue_token(
    session: Session, user_id: int, kind: str, ttl: timedelta | None, *, secret: str
) -> str:
    """A signed token for the user as they are now (role, exhibitor, verified identity)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.", code="user_not_found")
    expires_at = utcnow() + ttl if ttl else None
    token = sign_token(
        secret, user_id=user.id, role=user.role, display_name=user.display_name,
        exhibitor_id=user.exhibitor_id,
        identity_hash=user.identity_hash,
        expires_at=int(expires_at.timestamp()) if expires_at else None,
    )
    session.add(ApiToken(user_id=user_id, digest=token_digest(token), kind=kind, expires_at=expires_at))
    return token


def sign_in(
    db: Database, *, email: str, password: str, kind: str, ttl: timedelta | None, secret: str
) -> tuple[str, User]:
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.email == normalise_email(email)))
        stored = user.password_hash if user and user.is_active else None
        if not _password_matches(stored, password):
            raise Unauthenticated("Wrong e-mail or password.", code="invalid_credentials")
        assert user is not None
        return issue_token(session, user.id, kind, ttl, secret=secret), user


def revoke_token(db: Database, token: str) -> None:
    with db.transaction() as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.digest == token_digest(token), ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def principal_for_token(db: Database, token: str) -> Principal | None:
    with db.reader() as session:
        row = session.execute(
            select(User, ApiToken.expires_at)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.digest == token_digest(token), ApiToken.revoked_at.is_(None))
        ).first()
    if row is None:
        return None
    user, expires_at = row
    if not user.is_active or (expires_at is not None and expires_at <= utcnow()):
        return None
    return principal_of(user)


def principal_of(user: User) -> Principal:
    return Principal(
        user_id=user.id,
        role=Role(user.role),
        display_name=user.display_name,
        exhibitor_id=user.exhibitor_id,
        identity_hash=user.identity_hash,
    )


@dataclass(frozen=True, slots=True)
class ProvisionedUser:
    user_id: int
    email: str
    token: str


# Called inside the provisioning transaction with the new users' ids, e.g. to give new
# buyers verified demo identities (the buyers domain supplies one).
OnProvisioned = Callable[[Session, Sequence[int]], None]


def provision_users(
    db: Database,
    *,
    role: Role,
    count: int,
    prefix: str = "crowd",
    password: str | None = None,
    actor: Principal | None = None,
    on_created: OnProvisioned | None = None,
    secret: str,
    batch: int = 5_000,
) -> list[ProvisionedUser]:
    """Create ``count`` ready accounts with API tokens in one unit of work.

    The password (if any) is hashed once and shared, which is what makes 200,000 accounts
    take seconds instead of the hours that one argon2 hash each would.
    """
    if not 1 <= count <= 1_000_000:
        raise ValidationFailed("count must be between 1 and 1,000,000", code="invalid_count")
    if role is Role.MERCHANT:
        raise ValidationFailed("Merchants are created one by one with their exhibitor.", code="invalid_role")
    if password is not None and (problem := password_problem(password)):
        raise ValidationFailed(problem, code="weak_password")
    shared_hash = hash_password(password) if password else None
    stamp = new_token(4).lower().replace("-", "x").replace("_", "y")
    created: list[ProvisionedUser] = []
    with db.transaction() as session:
        start = session.scalar(select(func.coalesce(func.max(User.id), 0))) or 0
        for offset in range(0, count, batch):
            n = min(batch, count - offset)
            emails = [f"{prefix}-{stamp}-{start + offset + i + 1}@crowd.liveport.test" for i in range(n)]
            rows = [
                {"email": e, "display_name": f"{prefix} {start + offset + i + 1}", "role": role.value,
                 "password_hash": shared_hash, "locale": "zh", "is_active": True, "created_at": utcnow()}
                for i, e in enumerate(emails)
            ]
            session.execute(insert(User), rows)
            ids = dict(session.execute(select(User.email, User.id).where(User.email.in_(emails))).all())
            if on_created is not None:
                on_created(session, [ids[e] for e in emails])
            # Tokens are signed after the hook so that they carry the new identities.
            identity = dict(session.execute(
                select(User.id, User.identity_hash).where(User.id.in_(list(ids.values())))
            ).all())
            tokens = [
                sign_token(secret, user_id=ids[e], role=role.value, display_name=row["display_name"],
                           exhibitor_id=None, identity_hash=identity[ids[e]], expires_at=None)
                for e, row in zip(emails, rows)
            ]
            session.execute(
                insert(ApiToken),
                [{"user_id": ids[e], "digest": token_digest(t), "kind": "api", "created_at": utcnow()}
                 for e, t in zip(emails, tokens)],
            )
            created.extend(ProvisionedUser(ids[e], e, t) for e, t in zip(emails, tokens))
        if actor is not None:
            record_audit(session, actor, "user.provision", "user", "-", {"role": role.value, "count": count})
    return created


def record_audit(
    session: Session,
    actor: Principal,
    action: str,
    target_type: str,
    target_id: object,
    details: dict[str, Any] | None = None,
) -> None:
    """Append to the audit log inside the caller's unit of work."""
    session.add(
        AuditEntry(
            actor_user_id=actor.user_id,
            actor_role=actor.role.value,
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            details=details or {},
        )
    )


def list_audit(db: Database, *, limit: int = 100, before_id: int | None = None) -> list[AuditEntry]:
    with db.reader() as session:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if before_id is not None:
            query = query.where(AuditEntry.id < before_id)
        return list(session.scalars(query))
