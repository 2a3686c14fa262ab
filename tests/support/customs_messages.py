"""Well-formed customs messages for the protocol tests (numbers consistent, codes plausible)."""

from __future__ import annotations

from decimal import Decimal

from liveport.protocols import customs as c

EBP = ("4403169D3W", "Liveport Expo Live Platform")
EBC = ("4403960AB1", "Kabul Dried Fruit Trading Co.")
PAY = ("4403961PAY", "Sandbox e-CNY Operator Bank")
CARRIER = ("4403980LOG", "Sandbox Express")
AGENT = ("4403180X7R", "Liveport Customs Brokerage")
TRANSFER = c.BaseTransfer(cop_code=EBP[0], cop_name=EBP[1], dxp_id="DXPENT0000000001")
BUYER = {"name": "王小明", "id": "110101199003074514", "phone": "13800138000"}
ADDRESS = "上海市浦东新区世纪大道100号"


def order_lines(count: int, price: Decimal = Decimal("45.50"), qty: Decimal = Decimal(2)) -> tuple[c.OrderLine, ...]:
    return tuple(
        c.OrderLine(
            gnum=n, item_no=f"SKU-{n:03d}", item_name=f"阿富汗松子 {n}", gmodel="500g/罐 原味",
            unit="122", qty=qty, price=price, total_price=price * qty, country="101",
        )
        for n in range(1, count + 1)
    )


def order(lines: int = 1, *, order_no: str = "LP20240501000001", price: Decimal = Decimal("45.50"),
          qty: Decimal = Decimal(2), tax_total: Decimal = Decimal("8.28")) -> c.Order:
    goods = order_lines(lines, price, qty)
    goods_value = sum((line.total_price for line in goods), Decimal(0))
    freight = Decimal("10.00")
    head = c.OrderHead(
        app_time="20240501203015", order_no=order_no, ebp_code=EBP[0], ebp_name=EBP[1],
        ebc_code=EBC[0], ebc_name=EBC[1], goods_value=goods_value, freight=freight,
        discount=Decimal(0), tax_total=tax_total, actural_paid=goods_value + freight + tax_total,
        buyer_reg_no="buyer-000042", buyer_name=BUYER["name"], buyer_telephone=BUYER["phone"],
        buyer_id_number=BUYER["id"], pay_code=PAY[0], pay_name=PAY[1],
        pay_transaction_id="ECNY202405012030150001", consignee=BUYER["name"],
        consignee_telephone=BUYER["phone"], consignee_address=ADDRESS, consignee_district="310115",
    )
    return c.Order(head=head, lines=goods)


def order_message(lines: int = 1) -> c.CEB311Message:
    return c.CEB311Message(orders=(order(lines),), base_transfer=TRANSFER)


def full_tax_single_item_message() -> c.CEB311Message:
    """One unit of one SKU above ¥5,000: full tariff, VAT and consumption tax."""
    single = order(1, order_no="LP20240501000099", price=Decimal("6200.00"), qty=Decimal(1),
                   tax_total=Decimal("1906.50"))
    return c.CEB311Message(orders=(single,), base_transfer=TRANSFER)


def payment_message() -> c.CEB411Message:
    payment = c.Payment(
        app_time="20240501203020", pay_code=PAY[0], pay_name=PAY[1],
        pay_transaction_id="ECNY202405012030150001", order_no="LP20240501000001",
        ebp_code=EBP[0], ebp_name=EBP[1], payer_id_number=BUYER["id"], payer_name=BUYER["name"],
        telephone=BUYER["phone"], amount_paid=Decimal("109.28"), pay_time="20240501203016",
    )
    return c.CEB411Message(payments=(payment,), base_transfer=c.BaseTransfer(
        cop_code=PAY[0], cop_name=PAY[1], dxp_id="DXPENT0000000002"))


def logistics_message() -> c.CEB511Message:
    waybill = c.Logistics(
        app_time="20240501203100", logistics_code=CARRIER[0], logistics_name=CARRIER[1],
        logistics_no="SX1000000001", order_no="LP20240501000001", freight=Decimal("10.00"),
        insured_fee=Decimal(0), weight=Decimal("1.15"), goods_info="阿富汗松子 x2",
        consignee=BUYER["name"], consignee_address=ADDRESS, consignee_telephone=BUYER["phone"],
    )
    return c.CEB511Message(logistics=(waybill,), base_transfer=c.BaseTransfer(
        cop_code=CARRIER[0], cop_name=CARRIER[1], dxp_id="DXPENT0000000003"))


def inventory_lines(count: int, trade_mode: str) -> tuple[c.InventoryLine, ...]:
    bonded = trade_mode == c.TRADE_MODE_BONDED
    return tuple(
        c.InventoryLine(
            gnum=n, item_record_no=f"REC{n:05d}" if bonded else None, item_no=f"SKU-{n:03d}",
            item_name=f"阿富汗松子 {n}", gcode="0802909000", gname=f"阿富汗松子 {n}",
            gmodel="500g/罐 原味", country="101", qty=Decimal(2), unit="122",
            qty1=Decimal(1), unit1="035", price=Decimal("45.50"), total_price=Decimal("91.00"),
        )
        for n in range(1, count + 1)
    )


def inventory_message(trade_mode: str = c.TRADE_MODE_BONDED, lines: int = 1) -> c.CEB621Message:
    bonded = trade_mode == c.TRADE_MODE_BONDED
    head = c.InventoryHead(
        app_time="20240501203200", order_no="LP20240501000001", ebp_code=EBP[0], ebp_name=EBP[1],
        ebc_code=EBC[0], ebc_name=EBC[1], logistics_no="SX1000000001",
        logistics_code=CARRIER[0], logistics_name=CARRIER[1], cop_no="LPINV000000000001",
        assure_code=EBP[0], ems_no="T5165W000001" if bonded else None,
        decl_time="20240501", customs_code="5165", port_code="5165",
        buyer_id_number=BUYER["id"], buyer_name=BUYER["name"], buyer_telephone=BUYER["phone"],
        consignee_address=ADDRESS, agent_code=AGENT[0], agent_name=AGENT[1],
        area_code="4403610001" if bonded else None,
        area_name="Liveport Bonded Logistics Centre" if bonded else None,
        trade_mode=trade_mode, traf_mode="Y" if bonded else "5",
        traf_no=None if bonded else "CA1234", voyage_no=None if bonded else "20240501",
        bill_no=None if bonded else "999-12345675",
        country=c.COUNTRY_CHINA if bonded else "101", freight=Decimal("10.00"),
        insured_fee=Decimal(0), gross_weight=Decimal("1.15"), net_weight=Decimal("1.00"),
    )
    inventory = c.Inventory(head=head, lines=inventory_lines(lines, trade_mode))
    return c.CEB621Message(inventories=(inventory,), base_transfer=c.BaseTransfer(
        cop_code=AGENT[0], cop_name=AGENT[1], dxp_id="DXPENT0000000004"))


def _cancel_fields() -> dict:
    return {
        "app_time": "20240502090000", "customs_code": "5165", "order_no": "LP20240501000001",
        "ebp_code": EBP[0], "ebp_name": EBP[1], "ebc_code": EBC[0], "ebc_name": EBC[1],
        "logistics_no": "SX1000000001", "logistics_code": CARRIER[0], "logistics_name": CARRIER[1],
        "cop_no": "LPINV000000000001", "invt_no": "51652024I000000001", "buyer_id_number": BUYER["id"],
        "buyer_name": BUYER["name"], "buyer_telephone": BUYER["phone"], "agent_code": AGENT[0],
        "agent_name": AGENT[1],
    }


def cancel_message() -> c.CEB623Message:
    cancel = c.InvtCancel(**_cancel_fields(), reason="订购人取消订单")
    return c.CEB623Message(cancels=(cancel,), base_transfer=c.BaseTransfer(
        cop_code=AGENT[0], cop_name=AGENT[1], dxp_id="DXPENT0000000004"))


def refund_message() -> c.CEB625Message:
    head = c.InvtRefundHead(**_cancel_fields(), reason="商品退货")
    line = c.InvtRefundLine(gnum=1, gcode="0802909000", gname="阿富汗松子 1", qty=Decimal(2), unit="122")
    return c.CEB625Message(refunds=(c.InvtRefund(head=head, lines=(line,)),), base_transfer=c.BaseTransfer(
        cop_code=AGENT[0], cop_name=AGENT[1], dxp_id="DXPENT0000000004"))


RETURN = {"return_time": "20240501203500123", "return_info": "入库成功"}


def receipts() -> list[object]:
    keys = {"cop_no": "LPINV000000000001", "pre_no": "B20240501000000001", "customs_code": "5165"}
    return [
        c.CEB312Message(returns=(c.OrderReturn(ebp_code=EBP[0], ebc_code=EBC[0], order_no="LP20240501000001",
                                               return_status="120", **RETURN),)),
        c.CEB412Message(returns=(c.PaymentReturn(pay_code=PAY[0], pay_transaction_id="ECNY202405012030150001",
                                                 return_status="120", **RETURN),)),
        c.CEB512Message(returns=(c.LogisticsReturn(logistics_code=CARRIER[0], logistics_no="SX1000000001",
                                                   return_status="2", **RETURN),)),
        c.CEB622Message(returns=(
            c.InventoryReturn(**keys, ebp_code=EBP[0], ebc_code=EBC[0], agent_code=AGENT[0],
                              return_status="120", **RETURN),
            c.InventoryReturn(**keys, invt_no="51652024I000000001", return_status="800",
                              return_time="20240501210000000", return_info="放行"),
        )),
        c.CEB624Message(returns=(c.InvtCancelReturn(**keys, invt_no="51652024I000000001",
                                                    return_status="100", return_time="20240502091000000",
                                                    return_info="退单：清单已放行"),)),
        c.CEB626Message(returns=(c.InvtRefundReturn(**keys, return_status="120", **RETURN),)),
        c.CEB900Message(returns=(c.MessageReturn(
            return_status=c.ReturnStatus.FORMAT_ERROR, return_info="/CEB311Message/@guid: required",
            return_time="20240501203500123", ori_cop_msg_id="3B1E2C0D-4F5A-4B6C-8D7E-9F0A1B2C3D4E",
            ori_message_type="CEB311Message", ori_biz_message="<ceb:CEB311Message/>"),)),
    ]


def business_messages() -> list[object]:
    return [
        order_message(), order_message(99), full_tax_single_item_message(), payment_message(),
        logistics_message(), inventory_message(c.TRADE_MODE_BONDED), inventory_message(c.TRADE_MODE_DIRECT),
        inventory_message(c.TRADE_MODE_BONDED, 99), inventory_message(c.TRADE_MODE_DIRECT, 99),
        cancel_message(), refund_message(),
    ]


def must_be_signed(message: object) -> bool:
    return isinstance(message, (c.CEB621Message, c.CEB623Message, c.CEB625Message))
