"""CRF features, shared by the runtime tagger and `tools/train_ner.py`.

Speed matters (the archive tags every article it ingests), so everything that depends on one
word only is computed once per distinct word and cached; a sentence then only concatenates
cached tuples.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from tui_reader.entities._gazetteer import Gazetteer
from tui_reader.entities._words import word_stats

# Cue words, lower-cased. Classes generalise beyond the words seen in training.
_CUES: dict[str, str] = {}
for _cls, _words in {
    "title": """presiden wapres wakil menteri menko mendagri menlu gubernur wagub bupati walikota
        wali ketua ketum direktur dirut kepala jenderal jend kapolri kapolda kapolres panglima
        raja ratu pangeran paus sultan syekh habib kiai haji hj pak bapak ibu bu mr mrs ms dr
        prof sir lord president minister governor senator sen rep gen general chancellor king
        queen prince princess pope mayor ceo chairman chairwoman coach pelatih kapten captain
        sekretaris secretary jubir juru anggota sang saudara tersangka terdakwa komisaris
        uskup pendeta imam ustaz ustadz letjen mayjen brigjen kolonel kombes akbp ipda aiptu
        mantan eks former striker gelandang bek kiper penyerang aktris aktor penyanyi""",
    "place": """di ke dari in at from to near into across kota kabupaten kab provinsi prov desa
        kecamatan kelurahan pulau negara negeri wilayah kawasan daerah city province state
        town village island county district region jalan jl""",
    "org": """pt cv tbk partai universitas univ kementerian kemenkes kemendikbud badan komisi
        bank persatuan asosiasi lembaga dinas polda polres polsek pengadilan mahkamah dewan
        fraksi institut institute university party ministry inc corp corporation ltd llc plc
        company co group association council committee fc club klub federation federasi
        agency department bureau office kantor yayasan foundation airlines airways news times
        kepolisian kejaksaan kejati kejari pemprov pemkot pemkab pemerintah dpr dprd mpr""",
    "day": """senin selasa rabu kamis jumat sabtu minggu ahad monday tuesday wednesday thursday
        friday saturday sunday januari februari maret april mei juni juli agustus september
        oktober november desember january february march june july august october december""",
}.items():
    for _w in _words.split():
        _CUES.setdefault(_w, _cls)

_OFFSETS = (-2, -1, 1, 2)


def _shape(word: str) -> str:
    """Collapsed character classes: `Kim` -> `Xx`, `TEMPO.CO` -> `X.X`, `2023` -> `d`."""
    out: list[str] = []
    for ch in word:
        if ch.isupper():
            c = "X"
        elif ch.isalpha():
            c = "x"
        elif ch.isdigit():
            c = "d"
        else:
            c = ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out[:6])


def _flags(word: str) -> list[str]:
    """Capitalisation and character-class flags."""
    flags: list[str] = []
    if word[:1].isupper():
        flags.append("cap")
        if word.isupper() and len(word) > 1:
            flags.append("upper")
        elif word.istitle():
            flags.append("title")
    if any(ch.isdigit() for ch in word):
        flags.append("digit")
    if not word[:1].isalnum():
        flags.append("punct")
    return flags


@lru_cache(maxsize=200_000)
def _word_features(word: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...], str]:
    """Features of one word: its own, those it lends to neighbours at each offset (-2, -1,
    +1, +2), and its lower-cased form."""
    # Lone surrogates (from broken decoding) cannot be encoded for the C library.
    word = word.encode("utf-8", "replace").decode("utf-8")[:40]
    low = word.lower()
    shape = _shape(word)
    cue = _CUES.get(low.rstrip("."), "")
    code = word_stats().get(low, "")
    corpus = ["wc=" + code[:1]]  # how often news capitalises it mid-sentence ("" = unseen)
    base = ["w=" + low, "sh=" + shape, *_flags(word), "cue=" + cue, *corpus]
    own = [*base, "p2=" + low[:2], "p3=" + low[:3], "s2=" + low[-2:], "s3=" + low[-3:]]
    own.append("s4=" + low[-4:])
    own += ["wf=" + code[1:], f"wcc={code[:1]}{shape[:1]}"]
    if len(word) == 1:
        own.append("len1")
    ctx = tuple(tuple(f"{off}:{feat}" for feat in base) for off in _OFFSETS)
    return tuple(own), ctx, low


def _sentence_flags(words: Sequence[str]) -> list[str]:
    """Whole-sentence casing: headlines and all-caps lines make capitals uninformative."""
    letters = [w for w in words if w[:1].isalpha()]
    if len(letters) < 2:
        return []
    if all(w.isupper() for w in letters):
        return ["S:upper"]
    if sum(w[:1].isupper() for w in letters) >= 0.8 * len(letters):
        return ["S:title"]
    return []


def _gazetteer_features(gaz_tags: list[str]) -> list[list[str]]:
    """Gazetteer match of each token and of its neighbours (only called when one matched)."""
    n = len(gaz_tags)
    rows: list[list[str]] = [[] for _ in range(n)]
    for j, tag in enumerate(gaz_tags):
        if not tag:
            continue
        rows[j].append("g=" + tag)
        for off in _OFFSETS:
            if 0 <= j - off < n:
                rows[j - off].append(f"{off}:g={tag[2:]}")
    return rows


def sentence_features(words: Sequence[str], gaz: Gazetteer) -> list[list[str]]:
    """CRF attributes for each token of one sentence."""
    cached = [_word_features(w) for w in words]
    gaz_tags = gaz.match([c[2] for c in cached])
    gaz_rows = _gazetteer_features(gaz_tags) if any(gaz_tags) else None
    sent = _sentence_flags(words)
    n = len(words)
    rows: list[list[str]] = []
    for i in range(n):
        row = [*cached[i][0], *sent]
        if i >= 2:
            row += cached[i - 2][1][0]
        if i >= 1:
            row += cached[i - 1][1][1]
        else:
            row.append("BOS")
            if words[0][:1].isupper():
                row.append("cap@0")
        if i + 1 < n:
            row += cached[i + 1][1][2]
        else:
            row.append("EOS")
        if i + 2 < n:
            row += cached[i + 2][1][3]
        if gaz_rows:
            row += gaz_rows[i]
        rows.append(row)
    return rows
