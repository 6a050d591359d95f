"""The demo shop: the seed's five tables, filled with a year of a French car-parts shop's trade."""

from __future__ import annotations

import bisect
import contextlib
import json
import math
import random
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import accumulate, islice
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.schema import CreateIndex, CreateTable, DropTable
from tqdm import tqdm

from monitor.errors import VigieError

Row = tuple[Any, ...]

# SQLite keeps DateTime as text. Without microseconds every stored value has one shape, so SQL
# comparing a column with a bound datetime compares like with like.
_SQLITE_TIMESTAMP = sqlite.DATETIME(
    storage_format="%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d"
)
Timestamp = sa.DateTime().with_variant(_SQLITE_TIMESTAMP, "sqlite")

SHOP_METADATA = sa.MetaData()

# Ids are plain integers, not SERIAL: the shop and the simulator number rows themselves.
CUSTOMER = sa.Table(
    "___xtr_customer",
    SHOP_METADATA,
    sa.Column("cst_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("cst_mail", sa.Text),
    sa.Column("cst_name", sa.Text),
    sa.Column("cst_fname", sa.Text),
    sa.Column("cst_city", sa.Text),
    sa.Column("cst_zip_code", sa.Text),
    sa.Column("cst_country", sa.Text),
    sa.Column("cst_activ", sa.Text),
    sa.Column("cst_date_add", Timestamp),
)
ORDER = sa.Table(
    "___xtr_order",
    SHOP_METADATA,
    sa.Column("ord_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("ord_cst_id", sa.Integer, sa.ForeignKey("___xtr_customer.cst_id")),
    sa.Column("ord_date", Timestamp, index=True),
    sa.Column("ord_total_ht", sa.Text),
    sa.Column("ord_total_ttc", sa.Text),
    sa.Column("ord_shipping_cost", sa.Text),
    sa.Column("ord_is_pay", sa.Text),
    sa.Column("ord_date_pay", Timestamp, nullable=True),
    sa.Column("ord_ords_id", sa.Text),
    sa.Column("ord_info", sa.Text),
)
ORDER_LINE = sa.Table(
    "___xtr_order_line",
    SHOP_METADATA,
    sa.Column("orl_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("orl_ord_id", sa.Integer, sa.ForeignKey("___xtr_order.ord_id"), index=True),
    sa.Column("orl_pg_id", sa.Integer),
    sa.Column("orl_art_ref", sa.Text),
    sa.Column("orl_art_quantity", sa.Integer),
    sa.Column("orl_art_price_sell_ttc", sa.Text),
)
SITEMAP_LINK = sa.Table(
    "__sitemap_p_link",
    SHOP_METADATA,
    sa.Column("map_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("map_pg_alias", sa.Text),
    sa.Column("map_pg_id", sa.Integer),
    sa.Column("map_marque_alias", sa.Text),
    sa.Column("map_marque_id", sa.Integer),
    sa.Column("map_modele_alias", sa.Text),
    sa.Column("map_modele_id", sa.Integer),
    sa.Column("map_type_alias", sa.Text),
    sa.Column("map_type_id", sa.Integer),
    sa.Column("map_has_item", sa.Integer),
)
SEO_PAGE = sa.Table(
    "__seo_page",
    SHOP_METADATA,
    sa.Column("page_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("url", sa.Text, unique=True),
    sa.Column("title", sa.Text),
    sa.Column("meta_description", sa.Text),
    sa.Column("noindex", sa.Boolean),
    sa.Column("updated_at", Timestamp),
)
SHOP_TABLES = (CUSTOMER, ORDER, ORDER_LINE, SITEMAP_LINK, SEO_PAGE)

# Sizes at scale 1.0: the seed's figures for customers and sitemap links.
CUSTOMERS = 59_137
SITEMAP_LINKS = 714_336
SEO_PAGES = 50_000
ORDERS_PER_DAY = 150.0
NEW_CUSTOMERS_PER_DAY = 30.0
HISTORY_DAYS = 365
CUSTOMER_YEARS = 5
CUSTOMER_GROWTH = 1.5  # sign-ups in the last year / in the first year
PAID_SHARE = 0.85
VAT = 1.2

_BATCH = 5_000
_DAY = timedelta(days=1)


DEMO_MARKER = "vigie_demo_shop"


class ShopExistsError(VigieError):
    """The shop's tables already hold rows and the caller did not ask to replace them."""


@dataclass(frozen=True)
class ShopSummary:
    """Rows written per table by `create_shop`."""

    customers: int
    orders: int
    order_lines: int
    sitemap_links: int
    seo_pages: int

    @property
    def total(self) -> int:
        """All rows written."""
        return self.customers + self.orders + self.order_lines + self.sitemap_links + self.seo_pages

    def by_table(self) -> dict[str, int]:
        """The counts keyed by table name."""
        return {
            CUSTOMER.name: self.customers,
            ORDER.name: self.orders,
            ORDER_LINE.name: self.order_lines,
            SITEMAP_LINK.name: self.sitemap_links,
            SEO_PAGE.name: self.seo_pages,
        }


# ---------------------------------------------------------------------------------------------
# Public entry points


def demo_url(data_dir: Path) -> str:
    """The SQLAlchemy URL of the demo shop kept in `data_dir`."""
    return f"sqlite:///{(data_dir / 'demo_shop.sqlite').as_posix()}"


def shop_exists(url: str) -> bool:
    """Whether the five shop tables exist at `url` and each holds at least one row."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        # Connecting would create an empty file; an in-memory database never holds a shop.
        if database in ("", ":memory:") or not Path(database).exists():
            return False
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return all(_has_rows(conn, table) for table in SHOP_TABLES)
    finally:
        engine.dispose()


def tables_with_rows(url: str) -> list[str]:
    """The shop tables at `url` that hold rows (none for a missing SQLite file)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return []
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [table.name for table in SHOP_TABLES if _has_rows(conn, table)]
    finally:
        engine.dispose()


def is_demo_shop(url: str) -> bool:
    """Whether the database at `url` was made by `create_shop` (and so may be simulated on)."""
    if not shop_exists(url):
        return False
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return sa.inspect(conn).has_table(DEMO_MARKER)
    finally:
        engine.dispose()


def create_shop(
    url: str,
    *,
    scale: float = 1.0,
    seed: int = 42,
    now: datetime | None = None,
    progress: bool = True,
    replace: bool = False,
) -> ShopSummary:
    """Create the shop's tables at `url` and fill them; the same seed and `now` give the same rows.

    `scale` multiplies every row count (1.0 is the seed's shop). Raises `ShopExistsError` when the
    tables already hold rows, unless `replace` is true.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, not {scale}")
    now = naive_utc(now or datetime.now(UTC)).replace(microsecond=0)
    plan = _Plan.for_scale(scale)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)
    try:
        if not replace:
            _refuse_existing(engine)
        with tqdm(
            total=plan.estimated_rows, unit=" rows", desc="demo shop", disable=not progress
        ) as bar:
            summary = _fill(engine, plan, seed, now, bar)
            bar.total = bar.n
            bar.refresh()
    finally:
        engine.dispose()
    return summary


def naive_utc(moment: datetime) -> datetime:
    """`moment` as a naive UTC datetime (naive input is taken to be UTC already)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


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
# The catalogue: part families (gammes) and vehicles, the same for every seed

# (typical price in euros, popularity, labels), by family of parts.
_GAMMES = (
    (26, 3.0, "Plaquette de frein|Disque de frein|Kit de freins arrière|Étrier de frein|"
     "Tambour de frein|Mâchoires de frein|Flexible de frein|Maître-cylindre de frein|"
     "Liquide de frein|Câble de frein à main|Témoin d'usure de plaquettes|Capteur ABS|"
     "Cylindre de roue|Servo-frein|Répartiteur de freinage|Vis de disque de frein|"
     "Kit d'accessoires de plaquettes"),
    (10, 3.0, "Filtre à huile|Filtre à air|Filtre d'habitacle|Filtre à carburant|"
     "Filtre à particules|Filtre de boîte automatique|Crépine d'huile"),
    (15, 2.0, "Huile moteur|Liquide de refroidissement|Additif carburant|Lave-glace|Graisse"),
    (48, 1.5, "Kit de distribution|Kit de distribution avec pompe à eau|Courroie d'accessoire|"
     "Pompe à eau|Bougie d'allumage|Bougie de préchauffage|Bobine d'allumage|Galet tendeur|"
     "Galet enrouleur|Kit courroie d'accessoire|Courroie de distribution|Joint de culasse|"
     "Joint de cache-culbuteurs|Injecteur|Pompe à carburant|Vanne EGR|Turbo|"
     "Joint de collecteur|Support moteur|Poulie de vilebrequin|Chaîne de distribution|"
     "Kit chaîne de distribution|Thermostat|Sonde de température|"
     "Capteur de position de vilebrequin|Capteur d'arbre à cames|Débitmètre d'air|"
     "Sonde lambda|Soupape|Poussoir hydraulique|Arbre à cames|Segments de piston|"
     "Carter d'huile|Joint spi de vilebrequin|Bouchon de vidange|Jauge d'huile|"
     "Pressostat d'huile|Boîtier papillon|Régulateur de pression"),
    (33, 1.5, "Amortisseur|Biellette de barre stabilisatrice|Rotule de direction|"
     "Bras de suspension|Ressort de suspension|Coupelle d'amortisseur|Butée de suspension|"
     "Kit de protection d'amortisseur|Rotule de suspension|Silent-bloc de bras|"
     "Barre stabilisatrice|Silent-bloc de barre stabilisatrice|Rotule axiale|"
     "Soufflet de crémaillère|Crémaillère de direction|Pompe de direction assistée|"
     "Triangle de suspension|Roulement de suspension|Fusée d'essieu|Silent-bloc d'essieu"),
    (20, 1.0, "Ampoule de phare|Phare avant|Feu arrière|Ampoule de feu arrière|"
     "Feu antibrouillard|Clignotant|Feu de plaque|Troisième feu stop|Ampoule xénon|Module LED"),
    (58, 1.0, "Batterie|Alternateur|Démarreur|Régulateur d'alternateur|Poulie d'alternateur|"
     "Relais de préchauffage|Contacteur de démarrage|Capteur de stationnement|Commodo|"
     "Neiman|Faisceau d'allumage|Klaxon|Lève-vitre|Moteur d'essuie-glace|"
     "Pompe de lave-glace|Contacteur de feux stop|Capteur de pression des pneus|Fusible"),
    (37, 0.8, "Balai d'essuie-glace|Rétroviseur extérieur|Verre de rétroviseur|"
     "Coque de rétroviseur|Vérin de hayon|Vérin de capot|Pare-chocs avant|Pare-chocs arrière|"
     "Grille de calandre|Aile avant|Capot moteur|Poignée de porte|Serrure de porte|"
     "Bras d'essuie-glace|Enjoliveur|Joint de porte|Pare-brise|Attelage|Barres de toit|"
     "Garde-boue"),
    (44, 0.8, "Roulement de roue|Cardan|Soufflet de cardan|Moyeu de roue|Tête de cardan|"
     "Support de boîte de vitesses|Huile de boîte de vitesses|Joint spi de boîte|"
     "Câble de boîte de vitesses|Arbre de transmission"),
    (109, 0.7, "Kit d'embrayage|Volant moteur|Butée d'embrayage|Émetteur d'embrayage|"
     "Récepteur d'embrayage|Câble d'embrayage|Disque d'embrayage|Mécanisme d'embrayage"),
    (51, 0.7, "Silencieux arrière|Silencieux intermédiaire|Pot catalytique|Tube d'échappement|"
     "Collier d'échappement|Support d'échappement|Joint d'échappement|"
     "Kit de montage de silencieux"),
    (48, 0.6, "Radiateur de refroidissement|Durite de radiateur|Vase d'expansion|"
     "Bouchon de vase d'expansion|Ventilateur de refroidissement|Radiateur de chauffage|"
     "Intercooler|Radiateur d'huile"),
    (88, 0.5, "Compresseur de climatisation|Condenseur de climatisation|Évaporateur|"
     "Détendeur de climatisation|Bouteille déshydratante|Pulseur d'air|Résistance de pulseur"),
    (75, 0.5, "Capteur de pression de suralimentation|Électrovanne de turbo|Durite de turbo|"
     "Pompe d'injection|Rampe d'injection|Joint d'injecteur|Porte-injecteur|"
     "Réservoir AdBlue|Capteur NOx|Capteur de pression différentielle"),
)  # fmt: skip

# (label, id, engine family, popularity, models) — popularity follows the French car park.
_BRANDS = (
    ("Renault", 140, "renault", 14, "Clio II|Clio III|Clio IV|Clio V|Mégane II|Mégane III|"
     "Mégane IV|Scénic II|Scénic III|Twingo II|Twingo III|Kangoo II|Captur|Kadjar|Laguna III|"
     "Trafic III|Master III|Modus|Espace IV|Talisman"),
    ("Peugeot", 128, "psa", 13, "106|206|207|208|2008|306|307|308|3008|406|407|508|5008|"
     "Partner|Expert|Boxer|107|108|1007|RCZ"),
    ("Citroën", 46, "psa", 10, "C1|C2|C3|C3 Picasso|C4|C4 Picasso|C5|Berlingo|Xsara|"
     "Xsara Picasso|Saxo|Jumpy|Jumper|DS3|C3 Aircross|C4 Cactus"),
    ("Volkswagen", 173, "vag", 9, "Golf IV|Golf V|Golf VI|Golf VII|Polo IV|Polo V|Passat B6|"
     "Passat B7|Touran|Tiguan|Caddy III|Transporter T5|Up|Scirocco|Touareg|Sharan"),
    ("Ford", 57, "ford", 5, "Fiesta V|Fiesta VI|Focus I|Focus II|Focus III|Mondeo III|"
     "Mondeo IV|C-Max|Kuga|Ka|Transit|Galaxy|S-Max|Fusion"),
    ("Opel", 117, "opel", 5, "Corsa C|Corsa D|Corsa E|Astra G|Astra H|Astra J|Meriva|Zafira B|"
     "Insignia|Vectra C|Mokka|Vivaro|Movano"),
    ("Toyota", 160, "asia", 4, "Yaris|Yaris II|Auris|Corolla|RAV4|Aygo|Avensis|Prius|Verso|C-HR"),
    ("Fiat", 56, "fiat", 3, "Punto|Grande Punto|Panda|500|Doblo|Ducato|Bravo|Stilo|Tipo|Scudo"),
    ("BMW", 16, "premium", 4, "Série 1 (E87)|Série 3 (E46)|Série 3 (E90)|Série 3 (F30)|"
     "Série 5 (E60)|Série 5 (F10)|X1 (E84)|X3 (E83)|X5 (E53)|Série 1 (F20)"),
    ("Mercedes-Benz", 100, "premium", 4, "Classe A (W168)|Classe A (W169)|Classe B (W245)|"
     "Classe C (W203)|Classe C (W204)|Classe E (W211)|Classe E (W212)|Sprinter|Vito|"
     "Classe M (W164)|CLA"),
    ("Audi", 5, "vag", 4, "A1|A3 (8L)|A3 (8P)|A3 (8V)|A4 (B6)|A4 (B7)|A4 (B8)|A6 (C6)|Q3|Q5|TT"),
    ("Nissan", 110, "renault", 3, "Micra III|Micra IV|Qashqai|Qashqai II|Juke|Note|X-Trail|"
     "Navara|Primastar|Almera"),
    ("Dacia", 48, "renault", 4, "Logan|Logan II|Sandero|Sandero II|Duster|Duster II|Lodgy|"
     "Dokker"),
    ("Seat", 143, "vag", 2, "Ibiza III|Ibiza IV|Leon II|Leon III|Altea|Toledo|Alhambra|Arona|"
     "Ateca"),
    ("Skoda", 151, "vag", 2, "Fabia I|Fabia II|Octavia I|Octavia II|Octavia III|Superb|Yeti|"
     "Roomster|Rapid"),
    ("Hyundai", 73, "asia", 1.5, "i10|i20|i30|ix35|Tucson|Getz|Santa Fe|Kona"),
    ("Kia", 83, "asia", 1.5, "Picanto|Rio|Ceed|Sportage|Sorento|Venga|Soul"),
    ("Volvo", 174, "premium", 1, "V40|V50|V70|S40|S60|XC60|XC90"),
    ("Mini", 103, "premium", 1, "Mini (R50)|Mini (R56)|Countryman|Clubman"),
    ("Suzuki", 159, "asia", 1, "Swift|Grand Vitara|SX4|Vitara|Ignis|Jimny"),
    ("Honda", 70, "asia", 1, "Civic VII|Civic VIII|Jazz|CR-V|Accord"),
    ("Mazda", 96, "asia", 1, "Mazda 2|Mazda 3|Mazda 5|Mazda 6|CX-5|MX-5"),
    ("Alfa Romeo", 2, "fiat", 1, "147|156|159|Giulietta|MiTo"),
    ("Land Rover", 88, "premium", 0.7, "Freelander|Discovery|Range Rover Evoque|Defender"),
    ("Smart", 152, "premium", 0.7, "Fortwo|Forfour"),
    ("Mitsubishi", 104, "asia", 0.7, "Colt|ASX|Outlander|Pajero|L200"),
    ("Chevrolet", 42, "opel", 0.7, "Aveo|Spark|Cruze|Captiva"),
    ("Lancia", 85, "fiat", 0.5, "Ypsilon|Delta|Musa"),
    ("Jeep", 80, "fiat", 0.5, "Cherokee|Grand Cherokee|Renegade|Compass"),
    ("DS", 220, "psa", 1, "DS 3|DS 4|DS 5|DS 7 Crossback"),
)  # fmt: skip

_ENGINES = {
    "renault": "1.5 dCi|1.9 dCi|2.0 dCi|1.6 dCi|2.3 dCi|1.9 dTi|2.2 dCi|1.2 16V|1.2 TCe|"
    "0.9 TCe|1.4 16V|1.6 16V|2.0 16V|1.3 TCe|1.0 SCe|1.6 SCe|1.4 TCe|1.8 TCe",
    "psa": "1.4 HDi|1.6 HDi|2.0 HDi|1.6 BlueHDi|1.5 BlueHDi|2.0 BlueHDi|2.2 HDi|1.9 D|1.0 VTi|"
    "1.2 PureTech|1.4 i|1.6 VTi|1.6 THP|1.1 i|1.4 16V|1.6 16V|2.0 16V|1.8 16V",
    "vag": "1.6 TDI|1.9 TDI|2.0 TDI|1.4 TDI|1.2 TDI|3.0 TDI|1.0 TSI|1.2 TSI|1.4 TSI|1.8 TSI|"
    "2.0 TFSI|1.4 16V|1.6 FSI|1.6|2.0 GTI|1.5 TSI",
    "ford": "1.6 TDCi|1.8 TDCi|2.0 TDCi|1.4 TDCi|1.5 TDCi|2.2 TDCi|1.0 EcoBoost|1.25|1.4|"
    "1.6 Ti-VCT|2.0|1.5 EcoBoost|1.8|1.6",
    "opel": "1.3 CDTI|1.7 CDTI|1.9 CDTI|2.0 CDTI|1.6 CDTI|1.0|1.2|1.4|1.4 Turbo|1.6|1.8|2.2|"
    "1.6 Turbo",
    "fiat": "1.3 MultiJet|1.6 MultiJet|1.9 JTD|2.0 MultiJet|2.3 MultiJet|1.9 JTDm|2.2 MultiJet|"
    "1.2 8V|1.4 16V|0.9 TwinAir|1.4 T-Jet|1.4 MultiAir|1.1|1.6 16V",
    "asia": "1.4 D-4D|2.0 D-4D|2.2 D-4D|1.6 CRDi|1.7 CRDi|2.2 CRDi|1.5 dCi|2.2 i-DTEC|"
    "1.6 i-DTEC|1.5 DDiS|2.2 DI-D|1.0 VVT-i|1.33 Dual VVT-i|1.8 Hybrid|1.2|1.4|1.6|2.0|2.4",
    "premium": "116d|118d|120d|318d|320d|520d|530d|180 CDI|200 CDI|220 CDI|250 CDI|2.0 D4|"
    "1.6 D2|2.2 TD4|2.0 TD4|116i|118i|320i|C 180|C 200|A 160|Cooper|Cooper S|One D|T4|2.0 T5",
}
_TYPE_SLOTS = 64  # type ids of a model live in a fixed block, so they do not move with scale
_TYPES_PER_MODEL = (10, 24)


class Gamme(NamedTuple):
    """A family of parts (the site's "gamme"), e.g. brake pads."""

    id: int
    label: str
    alias: str
    price_cents: int
    weight: float


class Vehicle(NamedTuple):
    """One vehicle type (brand, model, engine) with the ids and aliases of its URLs."""

    brand_id: int
    brand_alias: str
    brand_label: str
    model_id: int
    model_alias: str
    model_label: str
    type_id: int
    type_alias: str
    type_label: str


@dataclass(frozen=True)
class Catalogue:
    """The shop's part families and vehicle types, with popularity for picking them."""

    gammes: tuple[Gamme, ...]
    vehicles: tuple[Vehicle, ...]
    gamme_cum_weights: tuple[float, ...]
    vehicle_cum_weights: tuple[float, ...]

    @property
    def pairs(self) -> int:
        """How many distinct product pages (gamme × vehicle) the catalogue can hold."""
        return len(self.gammes) * len(self.vehicles)

    def pick_gamme(self, rng: random.Random) -> Gamme:
        """A part family, popular ones more often."""
        return rng.choices(self.gammes, cum_weights=self.gamme_cum_weights)[0]

    def pick_vehicle(self, rng: random.Random) -> Vehicle:
        """A vehicle type, common brands more often."""
        return rng.choices(self.vehicles, cum_weights=self.vehicle_cum_weights)[0]


def slugify(label: str) -> str:
    """The URL alias of a label: 'Plaquette de frein' → 'plaquette-de-frein'."""
    plain = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def product_url(gamme: Gamme, vehicle: Vehicle) -> str:
    """The path of the page listing a part family for one vehicle type."""
    return (
        f"/pieces/{gamme.alias}-{gamme.id}/{vehicle.brand_alias}-{vehicle.brand_id}/"
        f"{vehicle.model_alias}-{vehicle.model_id}/{vehicle.type_alias}-{vehicle.type_id}.html"
    )


@lru_cache(maxsize=4)
def catalogue(types_factor: float = 1.0) -> Catalogue:
    """The catalogue, identical for every seed; `types_factor` > 1 gives models more engines."""
    # A fixed seed: the simulator rebuilds the same catalogue to request pages that exist.
    rng = random.Random("vigie-demo-catalogue")
    gammes = _gammes(rng)
    engines = {family: _engine_labels(rng, bases.split("|")) for family, bases in _ENGINES.items()}
    vehicles: list[Vehicle] = []
    weights: list[float] = []
    model_seq = 0
    for brand_label, brand_id, family, popularity, models in _BRANDS:
        brand_vehicles: list[Vehicle] = []
        for index, model_label in enumerate(models.split("|"), start=1):
            brand_vehicles += _model_types(
                brand_label, brand_id, model_label, index, model_seq, engines[family], types_factor
            )
            model_seq += 1
        vehicles += brand_vehicles
        weights += [popularity / len(brand_vehicles)] * len(brand_vehicles)
    return Catalogue(
        gammes=tuple(gammes),
        vehicles=tuple(vehicles),
        gamme_cum_weights=tuple(accumulate(g.weight for g in gammes)),
        vehicle_cum_weights=tuple(accumulate(weights)),
    )


def _gammes(rng: random.Random) -> list[Gamme]:
    gammes: list[Gamme] = []
    used = {402}
    for price, popularity, labels in _GAMMES:
        for rank, label in enumerate(labels.split("|")):
            if label == "Plaquette de frein":
                gamme_id = 402  # the real shop's id, as in the seed's URLs
            else:
                gamme_id = rng.randrange(2, 4_000)
                while gamme_id in used:
                    gamme_id = rng.randrange(2, 4_000)
                used.add(gamme_id)
            cents = round(price * 100 * rng.lognormvariate(0, 0.35))
            # The first parts of each family are its best sellers.
            weight = popularity / (1 + rank / 3)
            gammes.append(Gamme(gamme_id, label, slugify(label), cents, weight))
    return gammes


def _engine_labels(rng: random.Random, bases: list[str]) -> list[str]:
    """Each engine plainly and in up to three power variants: '1.5 dCi', '1.5 dCi 110 ch'…"""
    labels: list[str] = []
    for base in bases:
        litres = re.match(r"\d\.\d+", base)
        if litres:
            size = float(litres.group())
            powers = sorted({round(size * k / 5) * 5 for k in (45, 55, 65, 75, 85)})
        else:
            powers = [90, 110, 136, 150, 163, 184]
        labels.append(base)
        labels += [f"{base} {power} ch" for power in sorted(rng.sample(powers, 3))]
    return labels


def _model_types(
    brand_label: str,
    brand_id: int,
    model_label: str,
    index: int,
    model_seq: int,
    engines: list[str],
    types_factor: float,
) -> list[Vehicle]:
    # One generator per model, so a model's types do not change when another model's do.
    rng = random.Random(f"vigie-demo-model-{brand_id}-{index}")
    pool = list(engines)
    rng.shuffle(pool)
    wanted = round(rng.randint(*_TYPES_PER_MODEL) * types_factor)
    model_id = brand_id * 1000 + index
    brand_alias, model_alias = slugify(brand_label), slugify(model_label)
    types: list[Vehicle] = []
    for slot, label in enumerate(pool[: min(wanted, len(pool), _TYPE_SLOTS)]):
        type_id = 10_000 + model_seq * _TYPE_SLOTS + slot
        vehicle = Vehicle(
            brand_id, brand_alias, brand_label, model_id, model_alias, model_label,
            type_id, slugify(label), label,
        )  # fmt: skip
        types.append(vehicle)
    return types


def _catalogue_for(pages: int) -> Catalogue:
    """The smallest catalogue with room for `pages` distinct product pages (and some slack)."""
    factor = 1.0
    while True:
        found = catalogue(factor)
        # Slack keeps the sample spread over the catalogue rather than taking all of it.
        if found.pairs >= pages * 1.1:
            return found
        if factor > 4:
            raise ValueError(
                f"the demo catalogue holds at most {found.pairs:,} product pages; "
                f"{pages:,} asked for (use a smaller scale)"
            )
        factor = round(factor * 1.25, 3)


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
# Filling the tables


@dataclass(frozen=True)
class _Plan:
    customers: int
    sitemap_links: int
    seo_pages: int
    scale: float

    @classmethod
    def for_scale(cls, scale: float) -> _Plan:
        return cls(
            customers=max(1, round(CUSTOMERS * scale)),
            sitemap_links=max(1, round(SITEMAP_LINKS * scale)),
            seo_pages=max(1, round(SEO_PAGES * scale)),
            scale=scale,
        )

    @property
    def estimated_rows(self) -> int:
        # Orders are drawn, so their count is only known once written.
        orders = ORDERS_PER_DAY * 0.95 * HISTORY_DAYS * self.scale
        return round(self.customers + orders * 2.77 + self.sitemap_links + self.seo_pages)


class _Writer(Protocol):
    def write(self, table: sa.Table, rows: Iterable[Row]) -> int: ...


class _SqliteWriter:
    """Batched `executemany` with datetimes as 'YYYY-MM-DD HH:MM:SS' text."""

    def __init__(self, cursor: Any, bar: tqdm[Any]) -> None:
        self._cursor = cursor
        self._bar = bar

    def write(self, table: sa.Table, rows: Iterable[Row]) -> int:
        marks = ", ".join("?" * len(table.columns))
        sql = f"INSERT INTO {table.name} VALUES ({marks})"
        stamps = [i for i, col in enumerate(table.columns) if isinstance(col.type, sa.DateTime)]
        written = 0
        source = iter(rows)
        while batch := list(islice(source, _BATCH)):
            if stamps:
                batch = [_stamped(row, stamps) for row in batch]
            self._cursor.executemany(sql, batch)
            written += len(batch)
            self._bar.update(len(batch))
        return written


def _stamped(row: Row, stamps: list[int]) -> Row:
    values = list(row)
    for i in stamps:
        if values[i] is not None:
            values[i] = values[i].isoformat(" ", "seconds")
    return tuple(values)


class _PostgresWriter:
    """COPY FROM STDIN through psycopg, the fastest way into PostgreSQL."""

    def __init__(self, cursor: Any, bar: tqdm[Any]) -> None:
        self._cursor = cursor
        self._bar = bar

    def write(self, table: sa.Table, rows: Iterable[Row]) -> int:
        columns = ", ".join(col.name for col in table.columns)
        written = 0
        with self._cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
                if written % _BATCH == 0:
                    self._bar.update(_BATCH)
        self._bar.update(written % _BATCH)
        return written


def _has_rows(conn: sa.Connection, table: sa.Table) -> bool:
    if not sa.inspect(conn).has_table(table.name):
        return False
    return conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is not None


def _refuse_existing(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        full = [table.name for table in SHOP_TABLES if _has_rows(conn, table)]
    if full:
        where = engine.url.render_as_string(hide_password=True)
        raise ShopExistsError(
            f"the demo shop already exists in {where} ({', '.join(full)} hold rows); "
            "pass --replace (replace=True) to drop and recreate it"
        )


def _schema_ddl(dialect: Dialect) -> tuple[list[str], list[str]]:
    """Statements that (re)create the tables, and those that index them once filled."""
    tables = [str(DropTable(t, if_exists=True).compile(dialect=dialect)) for t in SHOP_TABLES[::-1]]
    tables += [str(CreateTable(t).compile(dialect=dialect)) for t in SHOP_TABLES]
    indexes = [
        str(CreateIndex(index).compile(dialect=dialect))
        for table in SHOP_TABLES
        for index in sorted(table.indexes, key=lambda i: str(i.name))
    ]
    return tables, indexes


def _fill(engine: sa.Engine, plan: _Plan, seed: int, now: datetime, bar: tqdm[Any]) -> ShopSummary:
    is_sqlite = engine.dialect.name == "sqlite"
    create, index = _schema_ddl(engine.dialect)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if is_sqlite:
            cursor.execute("PRAGMA journal_mode=WAL")
            # An explicit transaction makes the DDL part of it too: a failed load leaves nothing.
            cursor.execute("BEGIN")
        for statement in create:
            cursor.execute(statement)
        writer: _Writer = _SqliteWriter(cursor, bar) if is_sqlite else _PostgresWriter(cursor, bar)
        summary = _write_all(writer, plan, seed, now)
        for statement in index:
            cursor.execute(statement)
        # The mark that lets the simulator write here: it never writes into a real shop.
        cursor.execute(f"DROP TABLE IF EXISTS {DEMO_MARKER}")
        cursor.execute(f"CREATE TABLE {DEMO_MARKER} (created_at TEXT NOT NULL)")
        cursor.execute(f"INSERT INTO {DEMO_MARKER} VALUES ('{now.isoformat()}')")
        raw.commit()
        for table in SHOP_TABLES:
            cursor.execute(f"ANALYZE {table.name}")
        raw.commit()
        if is_sqlite:
            # The load went through the WAL; fold it back so the -wal file does not stay large.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    except BaseException:
        # A broken connection cannot roll back; the original error is the one worth seeing.
        with contextlib.suppress(Exception):
            raw.rollback()
        raise
    finally:
        raw.close()
    return summary


def _write_all(writer: _Writer, plan: _Plan, seed: int, now: datetime) -> ShopSummary:
    joins = _join_times(seed, now, plan.customers)
    customers = writer.write(CUSTOMER, _customer_rows(seed, now, joins))
    # Orders and their lines go to two tables, and a COPY takes one table at a time: the
    # deterministic generator runs twice rather than holding a year of lines in memory.
    orders = writer.write(ORDER, (o for o, _ in _history_orders(seed, now, plan.scale, joins)))
    lines = writer.write(
        ORDER_LINE,
        (line for _, ls in _history_orders(seed, now, plan.scale, joins) for line in ls),
    )
    cat = _catalogue_for(max(plan.sitemap_links, plan.seo_pages))
    links = writer.write(SITEMAP_LINK, _sitemap_rows(seed, cat, plan.sitemap_links))
    pages = writer.write(SEO_PAGE, _seo_rows(seed, cat, plan.seo_pages, now))
    return ShopSummary(customers, orders, lines, links, pages)


def _join_times(seed: int, now: datetime, count: int) -> list[datetime]:
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


def _customer_rows(seed: int, now: datetime, joins: list[datetime]) -> Iterator[Row]:
    rng = random.Random(f"{seed}:customers")
    for cst_id, joined in enumerate(joins, start=1):
        yield make_customer(rng, cst_id, joined, now)


def _history_orders(
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


def _sample_pairs(
    rng: random.Random, cat: Catalogue, count: int
) -> Iterator[tuple[Gamme, Vehicle]]:
    """`count` distinct (gamme, vehicle) pairs in catalogue order, any subset equally likely."""
    # Knuth's selection sampling: one pass, nothing held in memory.
    left = cat.pairs
    needed = count
    for gamme in cat.gammes:
        for vehicle in cat.vehicles:
            if rng.random() * left < needed:
                yield gamme, vehicle
                needed -= 1
                if needed == 0:
                    return
            left -= 1


# Shares of sitemap rows with one flaw each (about 4.6 % in all, so ~95 % healthy).
_EMPTY_ALIAS = 0.012
_ZERO_ID = _EMPTY_ALIAS + 0.010
_NO_ITEM = _ZERO_ID + 0.016
_DUPLICATE = _NO_ITEM + 0.008
_RECENT = 2_000


def _sitemap_rows(seed: int, cat: Catalogue, count: int) -> Iterator[Row]:
    rng = random.Random(f"{seed}:sitemap")
    recent: list[list[Any]] = []  # healthy links a duplicate can copy
    for map_id, (gamme, vehicle) in enumerate(_sample_pairs(rng, cat, count), start=1):
        link: list[Any] = [
            gamme.alias, gamme.id, vehicle.brand_alias, vehicle.brand_id,
            vehicle.model_alias, vehicle.model_id, vehicle.type_alias, vehicle.type_id,
        ]  # fmt: skip
        items = 1 + int(rng.lognormvariate(2.0, 1.0))
        flaw = rng.random()
        # Flaws hit the part family or the brand, the columns a link's health is judged on.
        if flaw < _EMPTY_ALIAS:
            link[2 * rng.randrange(2)] = ""
        elif flaw < _ZERO_ID:
            link[2 * rng.randrange(2) + 1] = 0
        elif flaw < _NO_ITEM:
            items = 0
        elif flaw < _DUPLICATE and recent:
            link = list(rng.choice(recent))
        elif len(recent) < _RECENT:
            recent.append(link)
        else:
            recent[map_id % _RECENT] = link
        yield (map_id, *link, items)


# Shares of SEO pages breaking one rule each (15 % in all, so ~85 % optimized).
_SEO_FLAWS = (
    (0.045, "noindex"),
    (0.025, "no_title"),
    (0.025, "long_title"),
    (0.030, "no_meta"),
    (0.010, "short_meta"),
    (0.015, "long_meta"),
)
_SEO_FLAW_CUM = tuple(accumulate(share for share, _ in _SEO_FLAWS))
_TITLE_MAX = 70
_META_MAX = 160


def _seo_rows(seed: int, cat: Catalogue, count: int, now: datetime) -> Iterator[Row]:
    rng = random.Random(f"{seed}:seo")
    for page_id, (gamme, vehicle) in enumerate(_sample_pairs(rng, cat, count), start=1):
        flaw = bisect.bisect_right(_SEO_FLAW_CUM, rng.random())
        kind = _SEO_FLAWS[flaw][1] if flaw < len(_SEO_FLAWS) else "none"
        title, meta = _seo_texts(rng, gamme, vehicle, kind)
        updated = now - timedelta(seconds=rng.randrange(HISTORY_DAYS * 86_400))
        yield (page_id, product_url(gamme, vehicle), title, meta, kind == "noindex", updated)


def _seo_texts(
    rng: random.Random, gamme: Gamme, vehicle: Vehicle, flaw: str
) -> tuple[str | None, str | None]:
    """Title and meta description of a page, optimized unless `flaw` breaks one of them."""
    title, meta = _seo_title(gamme, vehicle), _seo_meta(gamme, vehicle)
    if flaw == "no_title":
        return rng.choice((None, "")), meta
    if flaw == "long_title":
        car = f"{vehicle.brand_label} {vehicle.model_label}"
        pitch = "pièce d'origine ou équivalente, livraison rapide partout en France"
        return f"{gamme.label} {car} – {pitch}", meta
    if flaw == "no_meta":
        return title, rng.choice((None, ""))
    if flaw == "short_meta":
        return title, f"{gamme.label} pas cher."[:49]
    if flaw == "long_meta":
        return title, (
            f"{meta} Plus de 500 000 références en stock, les conseils de nos mécaniciens et la "
            "garantie constructeur sur toutes les pièces que nous vendons."
        )
    return title, meta


def _seo_title(gamme: Gamme, vehicle: Vehicle) -> str:
    for title in (
        f"{gamme.label} {vehicle.brand_label} {vehicle.model_label} {vehicle.type_label}",
        f"{gamme.label} {vehicle.brand_label} {vehicle.model_label}",
        f"{gamme.label} {vehicle.brand_label}",
    ):
        if len(title) <= _TITLE_MAX:
            return title
    return gamme.label[:_TITLE_MAX]


def _seo_meta(gamme: Gamme, vehicle: Vehicle) -> str:
    car = f"{vehicle.brand_label} {vehicle.model_label} {vehicle.type_label}"
    meta = (
        f"{gamme.label} pour {car} au meilleur prix : livraison en 24/48 h, paiement sécurisé "
        "et retour gratuit sous 30 jours."
    )
    if len(meta) > _META_MAX:
        meta = f"{gamme.label} pour {car} au meilleur prix, livraison en 24/48 h."
    return meta[:_META_MAX]
