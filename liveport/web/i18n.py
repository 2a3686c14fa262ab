"""The pages' message catalogue (Chinese and English) and how a request's language is chosen.

Pure data and functions: no framework imports, so the catalogue can be checked on its own.
"""
from __future__ import annotations

from datetime import datetime

from liveport.core.clock import CHINA, as_utc
from liveport.web.i18n_desk import DESK_MESSAGES
from liveport.web.i18n_live import LIVE_MESSAGES

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
LANG_COOKIE = "lang"
HTML_LANG = {"zh": "zh-CN", "en": "en"}

MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        "site.name": "Liveport 直播跨境购",
        "site.tagline": "进博会现场直播，全球好物，跨境直购",
        "nav.skip": "跳到主要内容",
        "nav.home": "首页",
        "nav.signin": "登录",
        "nav.signout": "退出登录",
        "nav.language": "语言",
        "nav.signed_in_as": "已登录：{name}",
        "landing.title": "正在直播与即将开播",
        "landing.empty": "目前还没有直播安排，请稍后再来。",
        "landing.watch": "进入直播间",
        "landing.details": "查看详情",
        "show.hosts": "主播",
        "show.products": "{count} 件商品",
        "show.starts": "开播时间",
        "show.status.live": "直播中",
        "show.status.scheduled": "即将开播",
        "show.status.ended": "已结束",
        "time.zone": "北京时间",
        "show.lineup": "本场商品",
        "show.lineup_empty": "主播还没有上架商品。",
        "product.origin": "原产地",
        "product.price": "价格",
        "product.hs": "HS 编码",
        "product.available": "{count} 件可售",
        "product.sold_out": "已售罄",
        "show.back": "返回全部直播",
        "signin.title": "登录",
        "signin.email": "电子邮箱",
        "signin.password": "密码",
        "signin.submit": "登录",
        "signin.failed": "邮箱或密码不正确。",
        "signin.missing": "请输入邮箱和密码。",
        "signin.already": "你已登录为 {name}。",
        "footer.note": "跨境电商零售进口商品，按规定申报海关。",
        # the live room page (liveport.realtime)
        # a buyer's orders (liveport.orders)
        "nav.orders": "我的订单",
        "orders.title": "我的订单",
        "orders.empty": "你还没有订单。",
        "orders.placed": "下单时间 {time}",
        "orders.goods": "商品金额",
        "orders.freight": "运费",
        "orders.tax": "跨境综合税",
        "orders.total": "实付金额",
        "orders.pay_by": "请在 {time} 前付款，逾期订单自动取消。",
        "orders.trail": "订单进度",
        "order.status.pending_payment": "待付款",
        "order.status.paid": "已付款",
        "order.status.declared": "已申报海关",
        "order.status.released": "海关已放行",
        "order.status.shipped": "已发货",
        "order.status.delivered": "已签收",
        "order.status.expired": "已过期",
        "order.status.cancelled": "已取消",
        "order.status.customs_rejected": "海关退单",
        "order.status.refunded": "已退款",
        "order.status.return_requested": "退货申请中",
        "order.status.returned": "已退货",
        # a buyer's order page and pay page (liveport.web.order_pages)
        "orders.details": "订单详情",
        "order.title": "订单 {order_no}",
        "order.heading": "订单",
        "order.status_label": "订单状态：",
        "order.pay": "去付款 ¥{amount}",
        "order.amounts": "金额明细",
        "order.unit_price": "单价",
        "order.consumption_tax": "消费税",
        "order.vat": "增值税",
        "order.tariff": "关税",
        "order.line_tax": "本行税费",
        "order.insurance": "保费",
        "order.discount": "优惠",
        "order.total": "订单总额",
        "order.tax_note": "跨境综合税由平台代收代缴，限值内按应纳税额的 70% 征收。",
        "order.times_note": "时间均为北京时间。",
        "order.not_found": "找不到这个订单",
        "order.not_found_help": "请检查订单号，或在“我的订单”中查看。",
        "pay.title": "订单付款",
        "pay.back": "返回订单",
        "pay.to_pay": "应付金额",
        "pay.choose": "选择付款方式",
        "pay.ecny": "数字人民币",
        "pay.ecny_hint": "用钱包扫码，或打开钱包收银台",
        "pay.card": "银行卡",
        "pay.card_hint": "在收单机构的安全页面付款",
        "pay.preparing": "正在准备付款…",
        "pay.failed": "无法发起付款：",
        "pay.scan": "请用数字人民币钱包扫描二维码。",
        "pay.qr_alt": "数字人民币付款二维码，金额 ¥{amount}",
        "pay.on_phone": "在手机上浏览？点下面的按钮打开钱包收银台，输入钱包编号和支付密码。",
        "pay.open_cashier": "打开钱包收银台",
        "pay.new_window": "（在新窗口打开）",
        "pay.waiting": "付款后本页会自动更新，请勿关闭。",
        "pay.card_privacy": "银行卡信息直接发送给收单机构的付款页面，不经过 Liveport，本站不会看到或保存。",
        "pay.card_no": "卡号",
        "pay.card_expiry": "有效期（MMYY）",
        "pay.card_expiry_hint": "月份和年份各两位，例如 0829",
        "pay.card_cvv": "安全码（CVV）",
        "pay.holder_name": "持卡人姓名",
        "pay.holder_id": "持卡人身份证号",
        "pay.holder_id_hint": "跨境订单须由订购人本人付款：持卡人须是订购人。",
        "pay.card_submit": "支付 ¥{amount}",
        "pay.card_link_help": "收单机构的付款页面不接受从本页提交，请在它自己的页面填写银行卡信息：",
        "pay.card_link": "打开银行卡付款页面",
        "pay.needs_script": "付款需要启用 JavaScript。",
        "pay.paid": "付款成功",
        "pay.paid_help": "已收到你的付款 ¥{amount}，订单将申报海关。",
        "pay.see_order": "查看订单",
        "pay.closed": "这个订单无法付款",
        "pay.closed_help": "订单已过期、已取消或已处理，无需再付款。",
        "room.title": "{title} · 直播间",
        "room.back": "返回直播详情",
        "room.live": "已连接",
        "room.connecting": "正在连接…",
        "room.reconnecting": "连接中断，正在重连…",
        "room.muted": "你已被禁言",
        "room.banned": "你已被移出直播间",
        "room.refused": "消息未发送",
        "room.on_sale": "抢购中，剩余",
        "room.countdown": "即将开抢",
        "room.bought": "购买了",
        "room.viewers": "观看",
        "room.pinned": "正在讲解",
        "room.nothing_pinned": "主播还没有置顶商品。",
        "room.like": "点赞",
        "room.likes": "点赞数",
        "room.chat": "聊天",
        "room.say": "说点什么…",
        "room.send": "发送",
        "room.sign_in_to_chat": "登录后即可聊天和点赞",
        # media: the room's player and replay, the host's stream settings (liveport.media)
        "room.video": "直播画面",
        "room.offline": "主播暂时离开了画面，商品和购买一切照常。",
        "room.replay": "回放",
        "room.chapters": "本场商品",
        "room.jump": "看这段",
        "room.buy": "去购买",
        "room.left": "剩余",
        "host.title": "推流设置 · {title}",
        "host.server": "服务器",
        "host.key": "串流密钥",
        "host.key_note": "密钥只属于主播：不要分享，也不要在直播画面中展示。",
        "host.rotate": "更换密钥",
        "host.rotated": "密钥已更换，请在编码器中填写新密钥。",
        "host.embedded_note": "本机内置推流服务只接受本机连接，且不校验密钥。",
        "host.state": "推流状态",
        "host.to_room": "打开直播间",
        "stream.live": "直播中",
        "stream.offline": "未推流",
        "nav.desk": "商家工作台",
        "nav.operator": "运营看板",
    },
    "en": {
        "site.name": "Liveport",
        "site.tagline": "Live from the import expo: goods from around the world, bought across the border",
        "nav.skip": "Skip to main content",
        "nav.home": "Home",
        "nav.signin": "Sign in",
        "nav.signout": "Sign out",
        "nav.language": "Language",
        "nav.signed_in_as": "Signed in as {name}",
        "landing.title": "Live now and coming up",
        "landing.empty": "No shows are scheduled yet. Please come back later.",
        "landing.watch": "Join the live room",
        "landing.details": "See details",
        "show.hosts": "Hosts",
        "show.products": "{count} products",
        "show.lineup": "In this show",
        "show.lineup_empty": "The host has not added products yet.",
        "product.origin": "Origin",
        "product.price": "Price",
        "product.hs": "HS code",
        "product.available": "{count} available",
        "product.sold_out": "Sold out",
        "show.back": "All shows",
        "show.starts": "Starts",
        "show.status.live": "Live",
        "show.status.scheduled": "Coming up",
        "show.status.ended": "Ended",
        "time.zone": "Beijing time",
        "signin.title": "Sign in",
        "signin.email": "E-mail",
        "signin.password": "Password",
        "signin.submit": "Sign in",
        "signin.failed": "Wrong e-mail or password.",
        "signin.missing": "Enter your e-mail and password.",
        "signin.already": "You are signed in as {name}.",
        "footer.note": "Cross-border retail imports, declared to China customs as the rules require.",
        # the live room page (liveport.realtime)
        # a buyer's orders (liveport.orders)
        "nav.orders": "My orders",
        "orders.title": "My orders",
        "orders.empty": "You have no orders yet.",
        "orders.placed": "Placed {time}",
        "orders.goods": "Goods",
        "orders.freight": "Freight",
        "orders.tax": "Cross-border tax",
        "orders.total": "Total paid",
        "orders.pay_by": "Pay by {time}; unpaid orders are cancelled automatically.",
        "orders.trail": "Order progress",
        "order.status.pending_payment": "Awaiting payment",
        "order.status.paid": "Paid",
        "order.status.declared": "Declared to customs",
        "order.status.released": "Released by customs",
        "order.status.shipped": "Shipped",
        "order.status.delivered": "Delivered",
        "order.status.expired": "Expired",
        "order.status.cancelled": "Cancelled",
        "order.status.customs_rejected": "Rejected by customs",
        "order.status.refunded": "Refunded",
        "order.status.return_requested": "Return requested",
        "order.status.returned": "Returned",
        # a buyer's order page and pay page (liveport.web.order_pages)
        "orders.details": "Order details",
        "order.title": "Order {order_no}",
        "order.heading": "Order",
        "order.status_label": "Status:",
        "order.pay": "Pay ¥{amount}",
        "order.amounts": "Amounts",
        "order.unit_price": "Unit price",
        "order.consumption_tax": "Consumption tax",
        "order.vat": "VAT",
        "order.tariff": "Tariff",
        "order.line_tax": "Tax on this line",
        "order.insurance": "Insurance",
        "order.discount": "Discount",
        "order.total": "Order total",
        "order.tax_note": "Cross-border tax is collected by the platform for customs; within the limits it is 70% of the tax due.",
        "order.times_note": "Times are Beijing time.",
        "order.not_found": "Order not found",
        "order.not_found_help": "Check the order number, or look in My orders.",
        "pay.title": "Pay for your order",
        "pay.back": "Back to the order",
        "pay.to_pay": "To pay",
        "pay.choose": "Choose how to pay",
        "pay.ecny": "e-CNY (digital RMB)",
        "pay.ecny_hint": "Scan with your wallet, or open the wallet cashier",
        "pay.card": "Card",
        "pay.card_hint": "Pay on the card acquirer's secure page",
        "pay.preparing": "Preparing the payment…",
        "pay.failed": "Could not start the payment:",
        "pay.scan": "Scan this QR code with your e-CNY wallet.",
        "pay.qr_alt": "e-CNY payment QR code for ¥{amount}",
        "pay.on_phone": "On a phone? Open the wallet cashier with the button below and confirm with your wallet number and PIN.",
        "pay.open_cashier": "Open the wallet cashier",
        "pay.new_window": "(opens in a new window)",
        "pay.waiting": "This page updates by itself once you have paid; keep it open.",
        "pay.card_privacy": "Your card details go straight to the card acquirer's payment page, not through Liveport: we never see or keep them.",
        "pay.card_no": "Card number",
        "pay.card_expiry": "Expiry (MMYY)",
        "pay.card_expiry_hint": "Two digits each for month and year, e.g. 0829",
        "pay.card_cvv": "Security code (CVV)",
        "pay.holder_name": "Card holder's name",
        "pay.holder_id": "Card holder's ID number",
        "pay.holder_id_hint": "A cross-border order must be paid by the buyer: the card holder must be you.",
        "pay.card_submit": "Pay ¥{amount}",
        "pay.card_link_help": "The acquirer's page does not take forms from this site; enter your card on its own page:",
        "pay.card_link": "Open the card payment page",
        "pay.needs_script": "Paying needs JavaScript turned on.",
        "pay.paid": "Paid",
        "pay.paid_help": "We have received your payment of ¥{amount}; the order goes to customs next.",
        "pay.see_order": "See your order",
        "pay.closed": "This order cannot be paid",
        "pay.closed_help": "It has expired, been cancelled or is already settled: nothing to pay.",
        "room.title": "{title} · Live room",
        "room.back": "Show details",
        "room.live": "Connected",
        "room.connecting": "Connecting…",
        "room.reconnecting": "Connection lost; reconnecting…",
        "room.muted": "You are muted",
        "room.banned": "You were removed from this room",
        "room.refused": "Message not sent",
        "room.on_sale": "On sale, left:",
        "room.countdown": "Opening soon",
        "room.bought": "bought",
        "room.viewers": "Watching",
        "room.pinned": "On screen now",
        "room.nothing_pinned": "The host has not pinned a product yet.",
        "room.like": "Like",
        "room.likes": "Likes",
        "room.chat": "Chat",
        "room.say": "Say something…",
        "room.send": "Send",
        "room.sign_in_to_chat": "Sign in to chat and like",
        # media: the room's player and replay, the host's stream settings (liveport.media)
        "room.video": "Live video",
        "room.offline": "The host is off camera for a moment. Products and buying work as usual.",
        "room.replay": "Replay",
        "room.chapters": "Products in this show",
        "room.jump": "Watch",
        "room.buy": "Buy",
        "room.left": "left",
        "host.title": "Stream settings · {title}",
        "host.server": "Server",
        "host.key": "Stream key",
        "host.key_note": "The key is yours alone: never share it or show it on stream.",
        "host.rotate": "New key",
        "host.rotated": "Key replaced: give your encoder the new key.",
        "host.embedded_note": "This machine's built-in ingest takes encoders on this computer only and does not check the key.",
        "host.state": "Stream",
        "host.to_room": "Open the room",
        "stream.live": "On air",
        "stream.offline": "Off air",
        "nav.desk": "Merchant desk",
        "nav.operator": "Operator dashboard",
    },
}

# The viewer room's shop and the host console (issue 10) keep their strings in i18n_live.
# The merchant desk and the operator dashboard (issue 11) keep theirs in i18n_desk.
for _extras in (LIVE_MESSAGES, DESK_MESSAGES):
    for _code, _extra in _extras.items():
        MESSAGES[_code].update(_extra)

# Each language's own name, shown in the switch whatever the page's language is.
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


def supported(lang: str | None) -> str | None:
    if not lang:
        return None
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The first supported language of an Accept-Language header, by its q weights."""
    if not header:
        return None
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                weight = 0.0
        code = supported(tag)
        if code and weight > 0:
            choices.append((-weight, position, code))
    return min(choices)[2] if choices else None


def choose_language(
    query: str | None,
    cookie: str | None,
    account_locale: str | None = None,
    accept_language: str | None = None,
) -> str:
    """An explicit switch (?lang=) beats the device's last switch (the cookie), which beats
    the account's saved locale, which beats what the browser asks for."""
    return (
        supported(query)
        or supported(cookie)
        or supported(account_locale)
        or from_accept_language(accept_language)
        or DEFAULT_LANGUAGE
    )


def translate(lang: str, key: str, **params: object) -> str:
    catalogue = MESSAGES.get(lang) or MESSAGES[DEFAULT_LANGUAGE]
    text = catalogue.get(key) or MESSAGES[DEFAULT_LANGUAGE].get(key) or key
    return text.format(**params) if params else text


def china_time(moment: datetime | None) -> str:
    """Shows are scheduled for an audience in China: print times in Beijing time."""
    if moment is None:
        return ""
    return as_utc(moment).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
