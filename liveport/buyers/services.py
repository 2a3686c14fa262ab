"""Buyer identity use cases: submit and verify, view, hand to customs, export, erase.

The resident ID number is in clear only in memory, on its way to the verifier and in
``identity_for_declaration``; it is stored as ciphertext, counted by its keyed hash, shown
masked, and never logged.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liveport.accounts.domain import Principal, normalise_email
from liveport.accounts.models import ApiToken, User
from liveport.accounts.services import record_audit
from liveport.buyers.domain import (
    CONSENT_PURPOSE_IDENTITY,
    CONSENT_TEXT_VERSION_IDENTITY,
    DeclarationIdentity,
    IdentityClaim,
    IdentityView,
    VerificationMethod,
    parse_claim,
    same_name,
)
from liveport.buyers.models import Consent, Consignee, Identity
from liveport.buyers.ports import IdentityVerifier, VerificationResult
from liveport.buyers.protection import IdentityProtector
from liveport.core.clock import CHINA, iso_z, utcnow
from liveport.core.db import Database
from liveport.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from liveport.core.outbox.services import add_event

log = logging.getLogger("liveport.buyers")

EXPORT_FORMAT = "liveport.personal-data/1"


class ConsentRequired(ValidationFailed):
    code = "consent_required"
    message = "Agree to the collection of your real-name identity first."


class IdentityMismatch(ValidationFailed):
    code = "identity_mismatch"
    message = "The name and the ID number do not belong together."


class IdentityAlreadyVerified(Conflict):
    code = "identity_already_verified"
    message = "This account already has another verified identity."


class IdentityNotFound(NotFound):
    code = "identity_not_found"
    message = "No verified identity for this account."


class ConfirmationMismatch(ValidationFailed):
    code = "confirmation_mismatch"
    message = "Type the account's e-mail address to confirm erasing its personal data."


def _view(identity: Identity) -> IdentityView:
    return IdentityView(
        user_id=identity.user_id,
        full_name=identity.full_name,
        id_number_masked=identity.id_masked,
        phone=identity.phone,
        verified_at=identity.verified_at,
        verification_method=identity.verification_method,
    )


def _active_consent(session: Session, user_id: int, purpose: str) -> Consent | None:
    return session.scalar(
        select(Consent)
        .where(
            Consent.user_id == user_id, Consent.purpose == purpose, Consent.withdrawn_at.is_(None)
        )
        .order_by(Consent.id.desc())
        .limit(1)
    )


def _record_consent(session: Session, user_id: int) -> None:
    current = _active_consent(session, user_id, CONSENT_PURPOSE_IDENTITY)
    if current is None or current.text_version != CONSENT_TEXT_VERSION_IDENTITY:
        session.add(
            Consent(
                user_id=user_id,
                purpose=CONSENT_PURPOSE_IDENTITY,
                text_version=CONSENT_TEXT_VERSION_IDENTITY,
                given_at=utcnow(),
            )
        )


def _same_person(identity: Identity, id_hash: str, full_name: str) -> bool:
    return identity.id_hash == id_hash and same_name(identity.full_name, full_name)


def submit_identity(
    db: Database,
    verifier: IdentityVerifier,
    protector: IdentityProtector,
    principal: Principal,
    *,
    full_name: str,
    id_number: str,
    phone: str,
    consent: bool,
) -> IdentityView:
    """Verify a buyer's real name + ID number and keep it, encrypted, on their account.

    Submitting the same person again is idempotent (the phone is updated); another person
    on a verified account is refused, so a quota cannot be moved between identities. The
    verifier is called outside any transaction (a slow provider must not hold a write lock);
    then one transaction records the consent and, on a match, the identity. A mismatch
    still records the consent — the data was collected and sent under it — and answers 422.
    """
    if consent is not True:
        raise ConsentRequired()
    claim = parse_claim(full_name, id_number, phone, today=utcnow().astimezone(CHINA).date())
    id_hash = protector.keyed_hash(claim.id_number)
    with db.reader() as session:
        existing = session.scalar(select(Identity).where(Identity.user_id == principal.user_id))
    if existing is not None and not _same_person(existing, id_hash, claim.full_name):
        raise IdentityAlreadyVerified()
    result = (
        VerificationResult(True, None, existing.verification_reference or "")
        if existing is not None
        else verifier.verify(claim.full_name, claim.id_number)
    )
    view: IdentityView | None = None
    try:
        with db.transaction() as session:
            _record_consent(session, principal.user_id)
            if result.matched:
                view = _store_identity(
                    session, protector, principal.user_id, claim, id_hash, result
                )
    except IntegrityError:
        # Two submissions raced past the read above; the first one's identity stands.
        with db.reader() as session:
            winner = session.scalar(select(Identity).where(Identity.user_id == principal.user_id))
        if winner is None or not _same_person(winner, id_hash, claim.full_name):
            raise IdentityAlreadyVerified() from None
        return _view(winner)
    if view is None:
        # The verifier's reason stays in the log: telling the caller "not registered" versus
        # "wrong name" would let anyone probe whether an ID number exists.
        log.info("identity check for user %s: no match (%s)", principal.user_id, result.reason)
        raise IdentityMismatch()
    return view


def _store_identity(
    session: Session,
    protector: IdentityProtector,
    user_id: int,
    claim: IdentityClaim,
    id_hash: str,
    result: VerificationResult,
) -> IdentityView:
    identity = session.scalar(select(Identity).where(Identity.user_id == user_id))
    if identity is not None:
        if not _same_person(identity, id_hash, claim.full_name):
            raise IdentityAlreadyVerified()
        identity.phone = claim.phone
        return _view(identity)
    identity = Identity(
        user_id=user_id,
        full_name=claim.full_name,
        id_cipher=protector.encrypt(claim.id_number),
        id_hash=id_hash,
        id_masked=claim.masked,
        phone=claim.phone,
        verified_at=utcnow(),
        verification_method=VerificationMethod.SANDBOX.value,
        verification_reference=result.reference[:64] or None,
    )
    session.add(identity)
    session.execute(update(User).where(User.id == user_id).values(identity_hash=id_hash))
    session.flush()
    add_event(
        session,
        "buyers.identity_verified",
        {"user_id": user_id},
        aggregate_type="user",
        aggregate_id=user_id,
    )
    return _view(identity)


def get_identity_view(db: Database, user_id: int) -> IdentityView:
    with db.reader() as session:
        identity = session.scalar(select(Identity).where(Identity.user_id == user_id))
        if identity is None:
            raise IdentityNotFound()
        return _view(identity)


def identity_for_declaration(
    db: Database, protector: IdentityProtector, user_id: int
) -> DeclarationIdentity:
    """The buyer's name, ID number and phone IN CLEAR.

    Only for the messages that must carry them whole: the customs order and inventory list
    (CEB311/621, buyer fields) and the payer of a payment declaration. Nothing else — no
    page, API answer, log line or export — may use this; they show ``IdentityView``.
    """
    with db.reader() as session:
        identity = session.scalar(select(Identity).where(Identity.user_id == user_id))
        if identity is None:
            raise IdentityNotFound()
        return DeclarationIdentity(
            user_id=user_id,
            full_name=identity.full_name,
            id_number=protector.decrypt(identity.id_cipher),
            phone=identity.phone,
        )


def list_consents(db: Database, user_id: int) -> list[Consent]:
    with db.reader() as session:
        return list(
            session.scalars(select(Consent).where(Consent.user_id == user_id).order_by(Consent.id))
        )


def _stamp(value: Any) -> str | None:
    return None if value is None else iso_z(value)


def export_personal_data(db: Database, user_id: int) -> dict[str, Any]:
    """Everything this domain keeps about a person, as plain JSON; the ID number masked."""
    with db.reader() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(code="user_not_found")
        identity = session.scalar(select(Identity).where(Identity.user_id == user_id))
        consents = session.scalars(
            select(Consent).where(Consent.user_id == user_id).order_by(Consent.id)
        )
        tokens = session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
        )
        addresses = session.scalars(
            select(Consignee).where(Consignee.user_id == user_id).order_by(Consignee.id)
        )
        return {
            "format": EXPORT_FORMAT,
            "exported_at": iso_z(utcnow()),
            "account": {
                "id": user.id,
                "email": user.email,
                "display_name": user.display_name,
                "role": user.role,
                "locale": user.locale,
                "created_at": _stamp(user.created_at),
                "identity_verified": user.identity_hash is not None,
            },
            "identity": None
            if identity is None
            else {
                "full_name": identity.full_name,
                "id_number": identity.id_masked,
                "phone": identity.phone,
                "verified_at": _stamp(identity.verified_at),
                "verification_method": identity.verification_method,
            },
            "consents": [
                {
                    "purpose": c.purpose,
                    "text_version": c.text_version,
                    "given_at": _stamp(c.given_at),
                    "withdrawn_at": _stamp(c.withdrawn_at),
                }
                for c in consents
            ],
            "consignees": [
                {
                    "name": c.name,
                    "phone": c.phone,
                    "address": c.address,
                    "district_code": c.district_code,
                    "deleted_at": _stamp(c.deleted_at),
                }
                for c in addresses
            ],
            "sign_ins": [
                {
                    "kind": t.kind,
                    "created_at": _stamp(t.created_at),
                    "expires_at": _stamp(t.expires_at),
                    "revoked_at": _stamp(t.revoked_at),
                }
                for t in tokens
            ],
        }


def erased_email(user_id: int) -> str:
    return f"erased-{user_id}@invalid"


def erase_personal_data(
    db: Database, actor: Principal, user_id: int, *, confirm_email: str
) -> None:
    """Erase a person's data: identity ciphertext, name and phone go; the account is anonymised
    and closed; every token is revoked; consents are withdrawn.

    ``users.identity_hash`` stays. It is a keyed hash (useless without the server's key) and
    it is what the annual quota and per-person limits count by: dropping it would let a
    person reset the customs quota by erasing and re-registering, and the law keeps orders
    declared to customs (and their quota) for the retention period. Orders keep only what
    customs requires, in their own domain, which hears of the erasure through the outbox.
    An operator may erase another account (audited); anyone else only their own.
    """
    if actor.user_id != user_id and not actor.is_operator:
        raise Forbidden()
    now = utcnow()
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(code="user_not_found")
        if normalise_email(confirm_email) != user.email:
            raise ConfirmationMismatch()
        session.execute(Identity.__table__.delete().where(Identity.user_id == user_id))
        session.execute(Consignee.__table__.delete().where(Consignee.user_id == user_id))
        session.execute(
            update(Consent)
            .where(Consent.user_id == user_id, Consent.withdrawn_at.is_(None))
            .values(withdrawn_at=now)
        )
        session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        user.email = erased_email(user_id)
        user.display_name = "Erased user"
        user.password_hash = None
        user.is_active = False
        add_event(
            session,
            "buyers.personal_data_erased",
            {"user_id": user_id},
            aggregate_type="user",
            aggregate_id=user_id,
        )
        if actor.user_id != user_id:
            record_audit(session, actor, "user.erase_personal_data", "user", user_id)
