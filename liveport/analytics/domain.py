"""The night's figures, folded from facts: pure values and functions, no I/O.

What GMV means here (and everywhere Liveport shows it: desk, dashboard, ``/metrics``, the
post-show report): **what buyers paid, as the double-entry ledger records it, net of what
went back to them**. Each journal tied to an order moves the provider's account
(``provider:<name>``, see ``liveport.payments.settlement``): a payment debits it (+), a full
refund's reversal and a goodwill refund credit it (−). The sum of those postings over the
orders in scope is the GMV; so it equals the ledger's total of paid orders by construction,
and includes what the buyer paid for freight and the cross-border tax (the amount on the
buyer's receipt), not only the goods' list value.

A movement is attributed to the minute of its journal (a refund lowers the minute it was
made in, not the minute of the sale) and split across the order's lines by goods value, to
the fen, so every breakdown adds up to exactly the GMV. An order counts as paid (``orders``,
``units``) while its net is above zero: a full refund takes its units back out, in the minute
of the refund; a goodwill refund leaves them.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from liveport.core.money import FEN

ZERO = Decimal("0.00")
NO_SHOW = "none"  # orders placed from the catalog, outside any show


@dataclass(frozen=True, slots=True)
class Breakdown:
    key: str
    label: str
    gmv: Decimal
    units: int
    orders: int


@dataclass(frozen=True, slots=True)
class MinutePoint:
    minute: datetime  # UTC, the minute's start
    gmv: Decimal
    units: int


@dataclass(frozen=True, slots=True)
class Funnel:
    """Distinct people at each step of the live shows: viewers who joined a room signed in,
    buyers who held a flash-sale reservation, buyers who paid for an order placed in a show."""

    viewers: int
    claimers: int
    payers: int

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    @property
    def claim_rate(self) -> float | None:
        return self._rate(self.claimers, self.viewers)

    @property
    def pay_rate(self) -> float | None:
        return self._rate(self.payers, self.claimers)

    @property
    def conversion(self) -> float | None:
        return self._rate(self.payers, self.viewers)


@dataclass(frozen=True, slots=True)
class Figures:
    currency: str
    gmv: Decimal
    units: int
    orders_paid: int
    by_minute: list[MinutePoint]
    by_show: list[Breakdown]
    by_country: list[Breakdown]
    by_pavilion: list[Breakdown]
    by_product: list[Breakdown]
    funnel: Funnel
    peak_viewers: int
    declarations: dict[str, int]


# ---- facts --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Movement:
    """One ledger journal's effect on what the buyer of an order has paid (+) or got back (−)."""

    order_id: int
    at: datetime
    amount: Decimal


@dataclass(frozen=True, slots=True)
class SoldLine:
    product_id: int
    label: str
    origin_country: str
    qty: int
    goods_value: Decimal
    country_label: str = ""  # the country's name, when known (else the code is shown)


@dataclass(frozen=True, slots=True)
class OrderFacts:
    order_id: int
    show_key: str  # str(show id) or NO_SHOW
    show_label: str
    pavilion_key: str
    pavilion_label: str
    lines: tuple[SoldLine, ...]
    buyer_key: str = ""  # the verified identity's keyed hash (a payer, once paid)

    @property
    def units(self) -> int:
        return sum(line.qty for line in self.lines)


@dataclass(frozen=True, slots=True)
class PresenceSample:
    show_id: int
    at: datetime
    viewers: int


# ---- folding --------------------------------------------------------------------------------

def minute_of(at: datetime) -> datetime:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).replace(second=0, microsecond=0)


def allocate(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``amount`` (to the fen) in proportion to ``weights``; the shares add up to it
    exactly (largest remainder, earlier lines first on ties)."""
    if not weights:
        return []
    total = sum(weights, Decimal(0))
    if total <= 0:
        return [amount, *([ZERO] * (len(weights) - 1))]
    sign = -1 if amount < 0 else 1
    whole = abs(amount)
    exact = [whole * w / total for w in weights]
    shares = [e.quantize(FEN, rounding=ROUND_DOWN) for e in exact]
    left = int((whole - sum(shares, Decimal(0))) / FEN)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += FEN
    return [sign * s for s in shares]


@dataclass(slots=True)
class _Tally:
    label: str
    gmv: Decimal = ZERO
    units: int = 0
    orders: set[int] = field(default_factory=set)

    def frozen(self, key: str) -> Breakdown:
        return Breakdown(key, self.label, self.gmv, self.units, len(self.orders))


def _ranked(tallies: dict[str, _Tally]) -> list[Breakdown]:
    return sorted((t.frozen(k) for k, t in tallies.items()), key=lambda b: (-b.gmv, -b.units, b.key))


def fold_sales(movements: Iterable[Movement], orders: Mapping[int, OrderFacts], *,
               fill_minutes: bool = True) -> tuple[Decimal, int, int, list[MinutePoint], dict[str, list[Breakdown]]]:
    """(gmv, units, orders_paid, by_minute, breakdowns by "show"/"country"/"pavilion"/"product").
    Movements of orders not in ``orders`` are out of scope and ignored."""
    names = ("show", "country", "pavilion", "product")
    tallies: dict[str, dict[str, _Tally]] = {name: {} for name in names}
    minutes: dict[datetime, list] = {}
    net: dict[int, Decimal] = {}
    gmv = ZERO
    for move in sorted(movements, key=lambda m: (m.at, m.order_id)):
        order = orders.get(move.order_id)
        if order is None or not order.lines:
            continue
        before = net.get(move.order_id, ZERO)
        after = before + move.amount
        net[move.order_id] = after
        gmv += move.amount
        point = minutes.setdefault(minute_of(move.at), [ZERO, 0])
        point[0] += move.amount
        unit_step = order.units if before <= 0 < after else -order.units if after <= 0 < before else 0
        point[1] += unit_step
        shares = allocate(move.amount, [line.goods_value for line in order.lines])
        for line, share in zip(order.lines, shares):
            keys = (order.show_key, line.origin_country, order.pavilion_key, str(line.product_id))
            labels = (order.show_label, line.country_label or line.origin_country, order.pavilion_label,
                      line.label)
            for name, key, label in zip(names, keys, labels):
                tally = tallies[name].setdefault(key, _Tally(label))
                tally.gmv += share
    paid = {order_id for order_id, amount in net.items() if amount > 0}
    for order_id in sorted(paid):
        order = orders[order_id]
        for line in order.lines:
            keys = (order.show_key, line.origin_country, order.pavilion_key, str(line.product_id))
            for name, key in zip(names, keys):
                tallies[name][key].units += line.qty
                tallies[name][key].orders.add(order_id)
    by_minute = [MinutePoint(m, v[0], v[1]) for m, v in sorted(minutes.items())]
    if fill_minutes:
        by_minute = fill_gaps(by_minute)
    units = sum(orders[order_id].units for order_id in paid)
    return gmv, units, len(paid), by_minute, {name: _ranked(tallies[name]) for name in names}


def fill_gaps(points: list[MinutePoint]) -> list[MinutePoint]:
    """Every minute from the first to the last, quiet ones at zero (a chart's x axis)."""
    if not points:
        return []
    have = {p.minute: p for p in points}
    out, minute = [], points[0].minute
    while minute <= points[-1].minute:
        out.append(have.get(minute) or MinutePoint(minute, ZERO, 0))
        minute += timedelta(minutes=1)
    return out


def peak_viewers(samples: Iterable[PresenceSample], bucket_s: int = 10) -> int:
    """The most viewers watching at once: samples are grouped in ``bucket_s`` windows, each
    show counted once per window (its highest sample there), shows added up."""
    per_window: dict[tuple[int, int], int] = {}
    for s in samples:
        window = int(s.at.timestamp()) // bucket_s
        per_window[(window, s.show_id)] = max(per_window.get((window, s.show_id), 0), s.viewers)
    totals: Counter[int] = Counter()
    for (window, _show), viewers in per_window.items():
        totals[window] += viewers
    return max(totals.values(), default=0)


def funnel(viewer_keys: Iterable[str], claimer_keys: Iterable[str], payer_keys: Iterable[str]) -> Funnel:
    return Funnel(len(set(viewer_keys)), len(set(claimer_keys)), len(set(payer_keys)))


def declaration_counts(statuses: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(statuses).items()))


def figures(movements: Iterable[Movement], orders: Mapping[int, OrderFacts], *, viewer_keys: Iterable[str],
            claimer_keys: Iterable[str], samples: Iterable[PresenceSample], declaration_statuses: Iterable[str],
            currency: str = "CNY") -> Figures:
    """Fold every fact into the figures. The funnel is the live shows' funnel: payers are the
    buyers of orders placed in a show (``show_key`` not NO_SHOW) and still paid; a catalog
    order bought outside any show has no viewer or claim before it and would make the rates
    meaningless (more payers than viewers)."""
    movements = list(movements)
    gmv, units, orders_paid, by_minute, parts = fold_sales(movements, orders)
    net: dict[int, Decimal] = {}
    for move in movements:
        if move.order_id in orders:
            net[move.order_id] = net.get(move.order_id, ZERO) + move.amount
    payers = [orders[order_id].buyer_key for order_id, amount in net.items()
              if amount > 0 and orders[order_id].show_key != NO_SHOW]
    return Figures(currency=currency, gmv=gmv, units=units, orders_paid=orders_paid, by_minute=by_minute,
                   by_show=parts["show"], by_country=parts["country"], by_pavilion=parts["pavilion"],
                   by_product=parts["product"], funnel=funnel(viewer_keys, claimer_keys, payers),
                   peak_viewers=peak_viewers(samples), declarations=declaration_counts(declaration_statuses))
