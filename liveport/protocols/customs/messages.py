"""The business messages Liveport and the sandboxes send: CEB311, 411, 511, 621, 623, 625.

Plain frozen dataclasses, keyword-only, one attribute per element in the schema's order
(the element name in snake case, see spec.py). Codes and times are text in the standard's
own format (use formats.app_time / decl_date to make them); amounts are ``Decimal`` and are
written with two decimals; quantities and weights are ``Decimal`` with up to five. An
optional element is ``None`` when absent. Defaults are the values the standard fixes
(currency 142, ID type 1, ...) or the usual ones (appType 1 new, appStatus 2 declare).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from liveport.protocols.customs.formats import (
    APP_STATUS_DECLARE,
    APP_TYPE_NEW,
    CURRENCY_CNY,
    ID_TYPE_RESIDENT_ID,
    VERSION,
    new_guid,
)

_frozen = dataclass(frozen=True, kw_only=True, slots=True)


@_frozen
class BaseTransfer:
    """Who transmits the message (the DXP client's company)."""

    cop_code: str
    cop_name: str
    dxp_mode: str = "DXP"
    dxp_id: str
    note: str | None = None


@_frozen
class BaseSubscribe:
    status: str  # ALL / DATA / RET
    dxp_mode: str = "DXP"
    dxp_address: str
    note: str | None = None


# --- CEB311 order ---------------------------------------------------------------------

@_frozen
class OrderHead:
    guid: str = field(default_factory=new_guid)
    app_type: str = APP_TYPE_NEW
    app_time: str
    app_status: str = APP_STATUS_DECLARE
    order_type: str = "I"
    order_no: str
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    goods_value: Decimal
    freight: Decimal
    discount: Decimal
    tax_total: Decimal
    actural_paid: Decimal
    currency: str = CURRENCY_CNY
    buyer_reg_no: str
    buyer_name: str
    buyer_telephone: str
    buyer_id_type: str = ID_TYPE_RESIDENT_ID
    buyer_id_number: str
    pay_code: str | None = None
    pay_name: str | None = None
    pay_transaction_id: str | None = None
    batch_numbers: str | None = None
    consignee: str
    consignee_telephone: str
    consignee_address: str
    consignee_district: str | None = None
    note: str | None = None


@_frozen
class OrderLine:
    gnum: int
    item_no: str | None = None
    item_name: str
    gmodel: str
    item_describe: str | None = None
    bar_code: str | None = None
    unit: str
    qty: Decimal
    price: Decimal
    total_price: Decimal
    currency: str = CURRENCY_CNY
    country: str
    note: str | None = None


@_frozen
class Order:
    head: OrderHead
    lines: tuple[OrderLine, ...]


@_frozen
class CEB311Message:
    guid: str = field(default_factory=new_guid)
    version: str = VERSION
    orders: tuple[Order, ...]
    base_transfer: BaseTransfer
    base_subscribes: tuple[BaseSubscribe, ...] = ()


# --- CEB411 payment (the Payment node holds only its PaymentHead) ----------------------

@_frozen
class Payment:
    guid: str = field(default_factory=new_guid)
    app_type: str = APP_TYPE_NEW
    app_time: str
    app_status: str = APP_STATUS_DECLARE
    pay_code: str
    pay_name: str
    pay_transaction_id: str
    order_no: str
    ebp_code: str
    ebp_name: str
    payer_id_type: str = ID_TYPE_RESIDENT_ID
    payer_id_number: str
    payer_name: str
    telephone: str | None = None
    amount_paid: Decimal
    currency: str = CURRENCY_CNY
    pay_time: str
    note: str | None = None


@_frozen
class CEB411Message:
    guid: str = field(default_factory=new_guid)
    version: str = VERSION
    payments: tuple[Payment, ...]
    base_transfer: BaseTransfer
    base_subscribes: tuple[BaseSubscribe, ...] = ()


# --- CEB511 waybill (the Logistics node holds only its LogisticsHead) ------------------

@_frozen
class Logistics:
    guid: str = field(default_factory=new_guid)
    app_type: str = APP_TYPE_NEW
    app_time: str
    app_status: str = APP_STATUS_DECLARE
    logistics_code: str
    logistics_name: str
    logistics_no: str
    bill_no: str | None = None
    order_no: str
    freight: Decimal | None = None
    insured_fee: Decimal | None = None
    currency: str = CURRENCY_CNY
    weight: Decimal
    pack_no: int = 1
    goods_info: str | None = None
    consignee: str
    consignee_address: str
    consignee_telephone: str
    note: str | None = None


@_frozen
class CEB511Message:
    guid: str = field(default_factory=new_guid)
    version: str = VERSION
    logistics: tuple[Logistics, ...]
    base_transfer: BaseTransfer
    base_subscribes: tuple[BaseSubscribe, ...] = ()


# --- CEB621 inventory list ----------------------------------------------------------------

@_frozen
class InventoryHead:
    """Trade mode 1210 (bonded) needs ems_no, area_code, area_name, country "142" and an
    item_record_no on every line; 9610 (direct mail) needs traf_no, voyage_no, bill_no and
    the country the parcel was shipped from. ``copNo`` is the key of the 622 receipts."""

    guid: str = field(default_factory=new_guid)
    app_type: str = APP_TYPE_NEW
    app_time: str
    app_status: str = APP_STATUS_DECLARE
    order_no: str
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    logistics_no: str
    logistics_code: str
    logistics_name: str
    cop_no: str | None = None
    pre_no: str | None = None
    assure_code: str
    ems_no: str | None = None
    invt_no: str | None = None
    ie_flag: str = "I"
    decl_time: str
    customs_code: str
    port_code: str
    ie_date: str | None = None
    buyer_id_type: str = ID_TYPE_RESIDENT_ID
    buyer_id_number: str
    buyer_name: str
    buyer_telephone: str
    consignee_address: str
    agent_code: str
    agent_name: str
    area_code: str | None = None
    area_name: str | None = None
    trade_mode: str
    traf_mode: str
    traf_no: str | None = None
    voyage_no: str | None = None
    bill_no: str | None = None
    loct_no: str | None = None
    license_no: str | None = None
    country: str
    freight: Decimal
    insured_fee: Decimal
    currency: str = CURRENCY_CNY
    wrap_type: str | None = None
    pack_no: int = 1
    gross_weight: Decimal
    net_weight: Decimal
    note: str | None = None


@_frozen
class InventoryLine:
    gnum: int
    item_record_no: str | None = None
    item_no: str | None = None
    item_name: str | None = None
    gcode: str
    gname: str
    gmodel: str
    bar_code: str | None = None
    country: str
    trade_country: str | None = None
    currency: str = CURRENCY_CNY
    qty: Decimal
    unit: str
    qty1: Decimal
    unit1: str
    qty2: Decimal | None = None
    unit2: str | None = None
    price: Decimal
    total_price: Decimal
    note: str | None = None


@_frozen
class Inventory:
    head: InventoryHead
    lines: tuple[InventoryLine, ...]


@_frozen
class CEB621Message:
    guid: str = field(default_factory=new_guid)
    version: str = VERSION
    inventories: tuple[Inventory, ...]
    base_transfer: BaseTransfer
    base_subscribes: tuple[BaseSubscribe, ...] = ()


# --- CEB623 cancel and CEB625 return of an inventory list ------------------------------

@_frozen
class InvtCancel:
    guid: str = field(default_factory=new_guid)
    app_type: str = APP_TYPE_NEW
    app_time: str
    app_status: str = APP_STATUS_DECLARE
    customs_code: str
    order_no: str
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    logistics_no: str
    logistics_code: str
    logistics_name: str
    cop_no: str | None = None
    pre_no: str | None = None
    invt_no: str
    buyer_id_type: str = ID_TYPE_RESIDENT_ID
    buyer_id_number: str
    buyer_name: str
    buyer_telephone: str
    agent_code: str
    agent_name: str
    reason: str
    note: str | None = None


@_frozen
class CEB623Message:
    guid: str = field(default_factory=new_guid)
    version: str = VERSION
    cancels: tuple[InvtCancel, ...]
    base_transfer: BaseTransfer
    base_subscribes: tuple[BaseSubscribe, ...] = ()


@_frozen
class InvtRefundHead:
    guid: str = field(default_factory=new_guid)
    app_type: str = APP_TYPE_NEW
    app_time: str
    app_status: str = APP_STATUS_DECLARE
    customs_code: str
    order_no: str
    ebp_code: str
    ebp_name: str
    ebc_code: str
    ebc_name: str
    logistics_no: str
    logistics_code: str
    logistics_name: str
    cop_no: str | None = None
    pre_no: str | None = None
    invt_no: str
    buyer_id_type: str = ID_TYPE_RESIDENT_ID
    buyer_id_number: str
    buyer_name: str
    buyer_telephone: str
    agent_code: str
    agent_name: str
    reason: str
    note: str | None = None


@_frozen
class InvtRefundLine:
    gnum: int  # the line of the original inventory list
    gcode: str
    gname: str
    qty: Decimal
    unit: str
    note: str | None = None


@_frozen
class InvtRefund:
    head: InvtRefundHead
    lines: tuple[InvtRefundLine, ...]


@_frozen
class CEB625Message:
    guid: str = field(default_factory=new_guid)
    version: str = VERSION
    refunds: tuple[InvtRefund, ...]
    base_transfer: BaseTransfer
    base_subscribes: tuple[BaseSubscribe, ...] = ()
