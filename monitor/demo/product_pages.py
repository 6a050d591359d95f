"""The demo shop's product pages as rows: sitemap links and SEO pages, a few flawed on purpose."""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from monitor.demo.catalogue import Catalogue, Gamme, Vehicle, product_url
from monitor.demo.trade import HISTORY_DAYS, Row


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


def sitemap_rows(seed: int, cat: Catalogue, count: int) -> Iterator[Row]:
    """`__sitemap_p_link` rows for `count` product pages, about 95 % of them sound."""
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


def seo_rows(seed: int, cat: Catalogue, count: int, now: datetime) -> Iterator[Row]:
    """`__seo_page` rows for `count` product pages, about 85 % of them optimized."""
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
