"""The demo shop's trade: its daily rhythm, its customers and orders, and their past year."""

from __future__ import annotations

import bisect
import json
import math
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from monitor.demo.catalogue import catalogue, slugify

Row = tuple[Any, ...]

# The shop's trade at scale 1.0: today's pace, how far back its history goes and how it grew,
# the share of orders paid, and VAT.
ORDERS_PER_DAY = 150.0
NEW_CUSTOMERS_PER_DAY = 30.0
HISTORY_DAYS = 365
CUSTOMER_YEARS = 5
CUSTOMER_GROWTH = 1.5  # sign-ups in the last year / in the first year
PAID_SHARE = 0.85
VAT = 1.2

_DAY = timedelta(days=1)


# ---------------------------------------------------------------------------------------------
# The shop's rhythm, shared with the simulator

# Weights at the middle of each UTC hour: quiet at night, late-morning and 20-21 h peaks.
_HOURLY_RAW = (
    0.45, 0.25, 0.15, 0.12, 0.12, 0.18, 0.35, 0.65, 0.95, 1.20, 1.40, 1.50,
    1.30, 1.20, 1.25, 1.25, 1.25, 1.30, 1.40, 1.55, 1.75, 1.70, 1.30, 0.85,
)  # fmt: skip
_HOURLY = tuple(w * len(_HOURLY_RAW) / sum(_HOURLY_RAW) for w in _HOURLY_RAW)
# Monday first: Saturday is the quiet day, Sunday evening people fix their cars' problems online.
_WEEKDAY_RAW = (1.05, 1.05, 1.0, 1.0, 0.95, 0.80, 0.95)
_WEEKDAY = tuple(w * len(_WEEKDAY_RAW) / sum(_WEEKDAY_RAW) for w in _WEEKDAY_RAW)


def activity(moment: datetime) -> float:
    """How busy the shop is at `moment` (naive UTC), 1.0 being the average over a week."""
    hours = moment.hour + moment.minute / 60 + moment.second / 3600 - 0.5
    # Linear between the hourly weights: no steps on the hour, and the daily mean stays the
    # mean of the weights.
    hour = math.floor(hours)
    before, after = _HOURLY[hour % 24], _HOURLY[(hour + 1) % 24]
    return (before + (after - before) * (hours - hour)) * _WEEKDAY[moment.weekday()]


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count (Knuth's method; a normal approximation for large means)."""
    if mean <= 0:
        return 0
    if mean >= 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit = math.exp(-mean)
    count = 0
    product = rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


# ---------------------------------------------------------------------------------------------
# Customers and orders, shared with the simulator

_FIRST_NAMES = (
    "Marie", "Jean", "Pierre", "Michel", "Philippe", "Nathalie", "Isabelle", "Sylvie", "Catherine",
    "Alain", "Patrick", "Nicolas", "Christophe", "Stéphane", "Sébastien", "Julien", "David",
    "Laurent", "Frédéric", "Thomas", "Sandrine", "Valérie", "Céline", "Christine", "Olivier",
    "Éric", "Thierry", "Pascal", "Daniel", "Bernard", "Sophie", "Émilie", "Julie", "Aurélie",
    "Camille", "Lucas", "Hugo", "Léa", "Manon", "Chloé", "Maxime", "Alexandre", "Antoine", "Romain",
    "Kevin", "Mathieu", "Anthony", "Vincent", "Jérôme", "Franck", "Didier", "Guillaume", "Cédric",
    "Yannick", "Karim", "Mohamed", "Inès", "Sarah", "Laura",
)  # fmt: skip
_LAST_NAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément", "Morin",
    "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand", "Duval", "Denis",
    "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard",
    "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez",
    "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard",
    "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas",
)  # fmt: skip
# (country, city, zip code); Paris appears thrice, as it weighs more.
_PLACES = (
    ("FR", "Paris", "75011"), ("FR", "Paris", "75015"), ("FR", "Paris", "75018"),
    ("FR", "Marseille", "13008"), ("FR", "Lyon", "69003"), ("FR", "Toulouse", "31000"),
    ("FR", "Nice", "06000"), ("FR", "Nantes", "44000"), ("FR", "Montpellier", "34000"),
    ("FR", "Strasbourg", "67000"), ("FR", "Bordeaux", "33000"), ("FR", "Lille", "59000"),
    ("FR", "Rennes", "35000"), ("FR", "Reims", "51100"), ("FR", "Saint-Étienne", "42000"),
    ("FR", "Le Havre", "76600"), ("FR", "Toulon", "83000"), ("FR", "Grenoble", "38000"),
    ("FR", "Dijon", "21000"), ("FR", "Angers", "49000"), ("FR", "Nîmes", "30000"),
    ("FR", "Clermont-Ferrand", "63000"), ("FR", "Le Mans", "72000"),
    ("FR", "Aix-en-Provence", "13090"), ("FR", "Brest", "29200"), ("FR", "Tours", "37000"),
    ("FR", "Amiens", "80000"), ("FR", "Limoges", "87000"), ("FR", "Perpignan", "66000"),
    ("FR", "Metz", "57000"), ("FR", "Besançon", "25000"), ("FR", "Orléans", "45000"),
    ("FR", "Rouen", "76000"), ("FR", "Mulhouse", "68100"), ("FR", "Caen", "14000"),
    ("FR", "Nancy", "54000"), ("FR", "Argenteuil", "95100"), ("FR", "Montreuil", "93100"),
    ("FR", "Roubaix", "59100"), ("FR", "Avignon", "84000"), ("FR", "Poitiers", "86000"),
    ("FR", "Pau", "64000"), ("FR", "La Rochelle", "17000"), ("FR", "Troyes", "10000"),
    ("FR", "Valence", "26000"), ("FR", "Chambéry", "73000"), ("FR", "Bayonne", "64100"),
    ("FR", "Colmar", "68000"), ("FR", "Quimper", "29000"), ("FR", "Ajaccio", "20000"),
    ("FR", "Saint-Denis", "97400"), ("BE", "Bruxelles", "1000"), ("BE", "Liège", "4000"),
    ("BE", "Charleroi", "6000"), ("CH", "Genève", "1201"), ("CH", "Lausanne", "1003"),
    ("LU", "Luxembourg", "1009"),
)  # fmt: skip
_MAIL_DOMAINS = (
    ("gmail.com",) * 6 + ("orange.fr",) * 3 + ("hotmail.fr",) * 2 + ("free.fr",) * 2
    + ("yahoo.fr", "sfr.fr", "laposte.net", "outlook.fr", "wanadoo.fr", "icloud.com")
)  # fmt: skip
_LINE_COUNTS = (1, 2, 3, 4)
_LINE_COUNT_CUM = tuple(accumulate((0.50, 0.30, 0.13, 0.07)))
_QUANTITIES = (1, 1, 1, 1, 1, 1, 1, 2, 2, 4)
_PRICE_ENDINGS = (90, 90, 90, 99, 50, 95)
_SUPPLIERS = (
    "BOSCH", "TRW", "VALEO", "FEBI", "ATE", "SKF", "GATES", "MANN", "MAHLE", "NGK", "BREMBO",
    "SACHS", "MONROE", "LUK", "DAYCO", "PURFLUX", "DELPHI", "CONTINENTAL",
)  # fmt: skip
_SHIPPING_CENTS = (490, 690, 690, 990)  # relay point, home, home, express
_FREE_SHIPPING_CENTS = 9_900
_PAYMENTS = ("cb", "cb", "cb", "cb", "paypal", "paypal", "apple_pay", "virement")
_DELIVERIES = ("colissimo", "relais", "relais", "chronopost")
_DEVICES = ("mobile", "mobile", "mobile", "desktop", "desktop", "tablet")


def make_customer(rng: random.Random, cst_id: int, joined: datetime, now: datetime) -> Row:
    """A `___xtr_customer` row for someone who signed up at `joined`."""
    fname = rng.choice(_FIRST_NAMES)
    name = rng.choice(_LAST_NAMES)
    country, city, zip_code = rng.choice(_PLACES)
    first, last = slugify(fname).replace("-", ""), slugify(name).replace("-", "")
    local = rng.choice(
        (f"{first}.{last}", f"{first}{last}", f"{first[0]}{last}", f"{last}.{first}")
    )
    if rng.random() < 0.55:
        local += str(rng.randint(1, 99))
    mail = f"{local}@{rng.choice(_MAIL_DOMAINS)}"
    # Old accounts are more often closed or dormant than new ones (about 76 % active overall).
    years = (now - joined).total_seconds() / (365.25 * 86400)
    active = rng.random() < 0.84 - 0.035 * years
    return (cst_id, mail, name, fname, city, zip_code, country, "1" if active else "0", joined)


def pick_customer(rng: random.Random, known: int) -> int:
    """The id of the customer placing an order, among customers 1..`known`."""
    # People often buy right after signing up: 40 % of orders come from the newest 5 %.
    if rng.random() < 0.4:
        return known - rng.randrange(max(1, known // 20))
    return rng.randint(1, known)


class OrderMaker:
    """Builds orders and their lines with the shop's distributions (average basket ~120 €)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._catalogue = catalogue()

    def make(
        self, ord_id: int, cst_id: int, placed: datetime, now: datetime, first_line_id: int
    ) -> tuple[Row, list[Row]]:
        """An `___xtr_order` row placed at `placed`, seen at `now`, and its order lines."""
        rng = self._rng
        lines: list[Row] = []
        goods = 0
        count = rng.choices(_LINE_COUNTS, cum_weights=_LINE_COUNT_CUM)[0]
        for offset in range(count):
            gamme = self._catalogue.pick_gamme(rng)
            quantity = rng.choice(_QUANTITIES)
            euros = max(1, int(gamme.price_cents * rng.lognormvariate(0, 0.45) / 100))
            unit = euros * 100 + rng.choice(_PRICE_ENDINGS)
            goods += quantity * unit
            ref = f"{rng.choice(_SUPPLIERS)}-{rng.randint(10_000, 99_999)}"
            lines.append((first_line_id + offset, ord_id, gamme.id, ref, quantity, _money(unit)))
        shipping = 0 if goods >= _FREE_SHIPPING_CENTS else rng.choice(_SHIPPING_CENTS)
        total = goods + shipping
        paid = rng.random() < PAID_SHARE
        paid_at = min(placed + timedelta(seconds=rng.randint(15, 1_200)), now) if paid else None
        info = json.dumps(
            {
                "payment": rng.choice(_PAYMENTS),
                "delivery": rng.choice(_DELIVERIES),
                "device": rng.choice(_DEVICES),
                "lines": count,
            },
            separators=(",", ":"),
        )
        order = (
            ord_id, cst_id, placed, _money(round(total / VAT)), _money(total), _money(shipping),
            "1" if paid else "0", paid_at, order_status(paid, now - placed), info,
        )  # fmt: skip
        return order, lines


def order_status(paid: bool, age: timedelta) -> str:
    """`ord_ords_id` of an order of this age: unpaid orders lapse, paid ones ship then arrive."""
    if not paid:
        return "1" if age < 2 * _DAY else "5"
    if age < _DAY:
        return "2"
    return "3" if age < 5 * _DAY else "4"


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


# ---------------------------------------------------------------------------------------------
# The year before the shop was created


def join_times(seed: int, now: datetime, count: int) -> list[datetime]:
    """Sign-up times over the last years, sorted, denser lately (the shop grows)."""
    rng = random.Random(f"{seed}:joins")
    span = CUSTOMER_YEARS * 365 * 86_400
    growth = math.log(CUSTOMER_GROWTH)
    # Inverse of the distribution function of a density growing like exp(growth · t).
    fractions = sorted(
        math.log1p(rng.random() * (CUSTOMER_GROWTH - 1)) / growth for _ in range(count)
    )
    start = now - timedelta(seconds=span)
    return [start + timedelta(seconds=int(f * span)) for f in fractions]


def customer_rows(seed: int, now: datetime, joins: list[datetime]) -> Iterator[Row]:
    """`___xtr_customer` rows for customers who signed up at `joins`, numbered from 1."""
    rng = random.Random(f"{seed}:customers")
    for cst_id, joined in enumerate(joins, start=1):
        yield make_customer(rng, cst_id, joined, now)


def history_orders(
    seed: int, now: datetime, scale: float, joins: list[datetime]
) -> Iterator[tuple[Row, list[Row]]]:
    """A year of orders before `now`, hour by hour, following the shop's rhythm and growth."""
    rng = random.Random(f"{seed}:orders")
    maker = OrderMaker(rng)
    hours = HISTORY_DAYS * 24
    start = now - timedelta(hours=hours)
    ord_id = line_id = 0
    for hour in range(hours):
        slot = start + timedelta(hours=hour)
        # Trade grew by ~10 % over the year, ending at ORDERS_PER_DAY today.
        growth = 0.9 + 0.1 * hour / hours
        mean = ORDERS_PER_DAY / 24 * scale * growth * activity(slot + timedelta(minutes=30))
        for second in sorted(rng.randrange(3_600) for _ in range(poisson(rng, mean))):
            placed = slot + timedelta(seconds=second)
            known = max(1, bisect.bisect_right(joins, placed))
            ord_id += 1
            order, lines = maker.make(ord_id, pick_customer(rng, known), placed, now, line_id + 1)
            line_id += len(lines)
            yield order, lines
