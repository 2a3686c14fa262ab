"""The clock of a cross-border return (cross-border.md §5). Pure, no I/O.

A return must be *requested* within 30 days of customs release, and the goods must be *back
in the bonded zone* within 45 days of release. Days are calendar days in China time
(Asia/Shanghai), counted from the China-time date of release, and both ends are inclusive:
"within 30 days" means up to and including the 30th calendar day after the release date,
i.e. strictly before 00:00 China time of the 31st day. Released on 1 March at 23:59 China
time → a request is on time until 31 March 23:59:59.999 China time, late from 1 April 00:00.
The same rule gives the arrival deadline with 45 days.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from liveport.core.clock import CHINA, as_utc
from liveport.core.errors import Conflict

REQUEST_DAYS = 30
ARRIVAL_DAYS = 45


@dataclass(frozen=True, slots=True)
class ReturnWindow:
    """Exclusive deadlines (UTC): on time while ``moment < deadline``."""

    request_by: datetime  # 00:00 China time of day 31 after the release date
    arrive_by: datetime  # 00:00 China time of day 46 after the release date

    def request_on_time(self, moment: datetime) -> bool:
        return as_utc(moment) < self.request_by

    def arrival_on_time(self, moment: datetime) -> bool:
        return as_utc(moment) < self.arrive_by


def _china_midnight_after(released_at: datetime, days: int) -> datetime:
    release_date = as_utc(released_at).astimezone(CHINA).date()
    return as_utc(datetime.combine(release_date + timedelta(days=days + 1), time(0), tzinfo=CHINA))


def return_window(released_at: datetime) -> ReturnWindow:
    """The (request, arrival) deadlines of an order released at ``released_at``."""
    return ReturnWindow(_china_midnight_after(released_at, REQUEST_DAYS),
                        _china_midnight_after(released_at, ARRIVAL_DAYS))


class ReturnWindowClosed(Conflict):
    code = "return_window_closed"
    message = "Returns must be requested within 30 days of customs release; this order's window has closed."
    message_zh = "跨境商品须在海关放行后30天内申请退货，本订单的退货期限已过。"


class ReturnArrivalLate(Conflict):
    code = "return_arrival_late"
    message = ("The goods reached the bonded zone more than 45 days after customs release: tax is due and the "
               "annual quota is not given back. The operator decides what happens to this order.")
    message_zh = "退货商品在海关放行45天后才回到保税区：须缴税，年度限额不予恢复，由平台运营人员处理。"


class ReturnNotAccepted(Conflict):
    code = "return_not_accepted_by_customs"
    message = "Customs has not accepted this order's return (CEB625) yet."
    message_zh = "海关尚未通过本订单的退货申报（CEB625）。"


class NotReleased(Conflict):
    code = "order_not_released"
    message = "This order has no customs release on record, so it cannot be returned."
    message_zh = "本订单没有海关放行记录，不能退货。"


class UnknownReturnLine(Conflict):
    code = "unknown_return_line"
    message = "A line to return is not on this order."
    message_zh = "退货的商品行不在本订单中。"
