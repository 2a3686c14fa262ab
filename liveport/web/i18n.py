"""The pages' message catalogue (Chinese and English) and how a request's language is chosen.

Pure data and functions: no framework imports, so the catalogue can be checked on its own.
"""
from __future__ import annotations

from datetime import datetime

from liveport.core.clock import CHINA, as_utc

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
    },
}

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
