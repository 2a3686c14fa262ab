"""Synthetic verified identities for bulk-provisioned demo buyers.

Given to ``accounts.services.provision_users(on_created=...)``: it runs inside the
provisioning transaction with each batch of new user ids. Every buyer gets a distinct valid
ID number derived from its user id (so identities are distinct across runs too), a
synthetic name and phone, verification method ``provisioned``, and ``users.identity_hash``.
No consent is recorded: nothing was collected from a person.

Speed: one Fernet encryption and one HMAC per buyer (~10 µs together), one executemany
insert and one UPDATE per batch — 200,000 buyers take seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from liveport.accounts.models import User
from liveport.buyers.domain import VerificationMethod, mask_id_number, normalise_id_number, synthetic_id_number
from liveport.buyers.models import Identity
from liveport.buyers.protection import IdentityProtector
from liveport.core.clock import utcnow

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "平",
    "晨",
    "欣怡",
    "子轩",
    "浩然",
    "雨桐",
)


def synthetic_name(seq: int) -> str:
    return SURNAMES[seq % len(SURNAMES)] + GIVEN[(seq // len(SURNAMES)) % len(GIVEN)]


def synthetic_phone(seq: int) -> str:
    return f"139{seq % 100_000_000:08d}"


def write_demo_identity(session: Session, protector: IdentityProtector, user_id: int, full_name: str,
                        id_number: str, phone: str) -> None:
    """One named demo buyer (the demo's e-CNY sandbox has a wallet in the same name)."""
    number = normalise_id_number(id_number)
    id_hash = protector.keyed_hash(number)
    session.execute(insert(Identity.__table__), [{
        "user_id": user_id, "full_name": full_name, "id_cipher": protector.encrypt(number), "id_hash": id_hash,
        "id_masked": mask_id_number(number), "phone": phone, "verified_at": utcnow(),
        "verification_method": VerificationMethod.PROVISIONED.value, "verification_reference": None}])
    session.execute(update(User.__table__).where(User.__table__.c.id == user_id).values(identity_hash=id_hash))


def demo_identity_writer(protector: IdentityProtector) -> Callable[[Session, Sequence[int]], None]:
    def write(session: Session, user_ids: Sequence[int]) -> None:
        if not user_ids:
            return
        now = utcnow()
        rows = []
        for user_id in user_ids:
            number = synthetic_id_number(user_id)
            rows.append(
                {
                    "user_id": user_id,
                    "full_name": synthetic_name(user_id),
                    "id_cipher": protector.encrypt(number),
                    "id_hash": protector.keyed_hash(number),
                    "id_masked": mask_id_number(number),
                    "phone": synthetic_phone(user_id),
                    "verified_at": now,
                    "verification_method": VerificationMethod.PROVISIONED.value,
                    "verification_reference": None,
                }
            )
        identities, users = Identity.__table__, User.__table__
        session.execute(insert(identities), rows)
        # One statement per batch instead of one UPDATE per buyer: copy the hash across.
        hash_of_user = select(identities.c.id_hash).where(identities.c.user_id == users.c.id)
        session.execute(
            update(users)
            .where(users.c.id.in_(list(user_ids)))
            .values(identity_hash=hash_of_user.scalar_subquery())
        )

    return write
