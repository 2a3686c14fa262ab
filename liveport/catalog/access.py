"""Object-level access to products: which products a caller may change."""

from __future__ import annotations

from sqlalchemy.orm import Session

from liveport.accounts.domain import Principal, Role
from liveport.catalog.models import Product
from liveport.core.errors import Forbidden, NotFound


def writable_product(session: Session, actor: Principal, product_id: int) -> Product:
    """The product if the caller may change it: an operator, or a merchant of its exhibitor.

    Another exhibitor's product answers 404 exactly like a missing one, so a merchant cannot
    probe which product ids exist (decision recorded in the catalog service docstring).
    """
    if actor.role not in (Role.OPERATOR, Role.MERCHANT):
        raise Forbidden()
    product = session.get(Product, product_id)
    if product is None or (
        actor.role is Role.MERCHANT and product.exhibitor_id != actor.exhibitor_id
    ):
        raise NotFound("No such product.", code="product_not_found")
    return product
