"""The demo shop's catalogue: part families (gammes) and vehicle types, the same for every seed."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

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


def catalogue_for(pages: int) -> Catalogue:
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
