"""What the demo's access log says: who asks (people, crawlers), for what, and the answer.

Pure functions of a seeded generator, so the simulator's traffic is the same for the same seed.
"""

from __future__ import annotations

import math
import random
import time

from monitor.demo.catalogue import Catalogue, Gamme, Vehicle, product_url

SITE = "https://www.demo-pieces-auto.example"
ERROR_SHARE = 0.0015
INCIDENT_ERROR_SHARE = 0.06
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MASK64 = (1 << 64) - 1

# First octets of French consumer ISPs' blocks, so visitor addresses look plausible.
ISP_OCTETS = (2, 5, 37, 46, 62, 77, 78, 79, 80, 81, 82, 83, 86, 88, 90, 91, 92, 109, 176, 185)
BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
)
_GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
_GOOGLEBOT_MOBILE = (
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
    "+http://www.google.com/bot.html)"
)
_BINGBOT = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
_ASSETS = (
    "/assets/app.3f9c2e1a.css",
    "/assets/app.8d41b07c.js",
    "/assets/vendor.51e0a9d2.js",
    "/assets/fonts/inter-var.woff2",
    "/favicon.ico",
)
# What people and crawlers ask for, by weight.
HUMAN_KINDS = (
    ("product", 42), ("asset", 20), ("gamme", 8), ("home", 6), ("brand", 5), ("model", 5),
    ("search", 5), ("cart", 4), ("account", 2), ("checkout", 1.5), ("api", 1.5),
)  # fmt: skip
BOT_KINDS = (
    ("product", 70), ("gamme", 10), ("model", 8), ("brand", 6), ("sitemap", 5), ("robots", 1),
)  # fmt: skip
_SERVER_ERRORS = (500, 502, 502, 503, 504)


def crawler(rng: random.Random) -> tuple[str, str]:
    """The address and user agent of a search engine's crawler."""
    host = rng.randrange(40)
    if rng.random() < 0.7:
        agent = _GOOGLEBOT_MOBILE if host % 3 else _GOOGLEBOT
        return f"66.249.{64 + host % 16}.{(host * 37) % 250 + 1}", agent
    prefix = "40.77.167" if host % 2 else "157.55.39"
    return f"{prefix}.{(host * 53) % 250 + 1}", _BINGBOT


def request(rng: random.Random, shop: Catalogue, kind: str) -> tuple[str, str]:
    """The method and path of a request of `kind`."""
    gamme, vehicle = shop.pick_gamme(rng), shop.pick_vehicle(rng)
    if kind == "product":
        return "GET", product_url(gamme, vehicle)
    if kind == "asset":
        if rng.random() < 0.5:
            return "GET", rng.choice(_ASSETS)
        return "GET", f"/images/pieces/{gamme.alias}-{rng.randrange(1, 400)}.webp"
    if kind == "cart":
        return ("POST", "/panier/ajouter") if rng.random() < 0.4 else ("GET", "/panier")
    if kind == "checkout":
        return ("POST", "/commande/paiement") if rng.random() < 0.5 else ("GET", "/commande")
    return "GET", page_path(kind, gamme, vehicle, rng)


def response(rng: random.Random, kind: str, bot: bool, incident: bool) -> tuple[int, int]:
    """The status and size of the answer (mostly 5xx share more during an incident)."""
    if rng.random() < (INCIDENT_ERROR_SHARE if incident else ERROR_SHARE):
        return rng.choice(_SERVER_ERRORS), rng.randint(150, 600)
    if kind == "asset":
        if not bot and rng.random() < 0.35:
            return 304, 0
        return 200, int(rng.lognormvariate(math.log(30_000), 0.8))
    draw = rng.random()
    if draw < 0.03:
        return 301, 162
    if draw < 0.05:
        return 404, rng.randint(4_300, 4_700)
    if kind in ("robots", "api"):
        return 200, rng.randint(200, 2_500)
    return 200, int(rng.lognormvariate(math.log(38_000), 0.3))


def referer(rng: random.Random, kind: str) -> str:
    """Where the request came from."""
    draw = rng.random()
    if kind in ("asset", "api", "cart", "checkout") or draw < 0.45:
        return f"{SITE}/"
    return "https://www.google.fr/" if draw < 0.8 else "-"


def page_path(kind: str, gamme: Gamme, vehicle: Vehicle, rng: random.Random) -> str:
    """The path of a page of `kind` about a part family and a vehicle."""
    brand = f"{vehicle.brand_alias}-{vehicle.brand_id}"
    paths = {
        "gamme": f"/pieces/{gamme.alias}-{gamme.id}.html",
        "brand": f"/constructeurs/{brand}.html",
        "model": f"/constructeurs/{brand}/{vehicle.model_alias}-{vehicle.model_id}.html",
        "search": f"/recherche?q={gamme.alias.replace('-', '+')}",
        "account": "/compte/commandes",
        "api": f"/api/vehicules/{vehicle.brand_id}/modeles",
        "sitemap": f"/sitemaps/pieces-{rng.randrange(1, 30)}.xml",
        "robots": "/robots.txt",
    }
    return paths.get(kind, "/")


def weighted_choices(weighted: tuple[tuple[str, float], ...]) -> tuple[list[str], list[float]]:
    """Names and cumulative weights, for `random.choices(cum_weights=…)`."""
    names = [name for name, _ in weighted]
    cum: list[float] = []
    total = 0.0
    for _, weight in weighted:
        total += weight
        cum.append(total)
    return names, cum


def clf_time(ts: float) -> str:
    """`ts` in the combined log format's time, UTC."""
    t = time.gmtime(ts)
    return (
        f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
    )


def mix(value: int) -> int:
    """splitmix64: spreads visitor numbers over addresses without keeping a table of them."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)
