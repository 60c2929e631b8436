"""CRF features, shared by the runtime tagger and `tools/train_ner.py`.

Speed matters (the archive tags every article it ingests), so everything that depends on one
word only is computed once per distinct word and cached; a sentence then only concatenates
cached tuples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TypeVar

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


_F = TypeVar("_F", bound=str | bytes)  # a feature: text for training, UTF-8 for the tagger
WordFeatures = tuple[tuple[_F, ...], tuple[tuple[_F, ...], ...], str]


def _compute_word_features(word: str) -> WordFeatures[str]:
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


_word_features = lru_cache(maxsize=200_000)(_compute_word_features)


@lru_cache(maxsize=200_000)
def _encoded_word_features(word: str) -> WordFeatures[bytes]:
    """`_word_features` as UTF-8 bytes, which the tagger takes without converting each string
    (the same bytes it would encode itself)."""
    own, ctx, low = _compute_word_features(word)
    return (
        tuple(f.encode() for f in own),
        tuple(tuple(f.encode() for f in feats) for feats in ctx),
        low,
    )


def _sentence_flags(words: Sequence[str]) -> list[str]:
    """Whole-sentence casing: headlines and all-caps lines make capitals uninformative."""
    letters = [w for w in words if w[:1].isalpha()]
    if len(letters) < 2:
        return []
    if all(map(str.isupper, letters)):
        return ["S:upper"]
    if sum(map(str.isupper, [w[:1] for w in letters])) >= 0.8 * len(letters):
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


def _rows(
    words: Sequence[str],
    cached: Sequence[WordFeatures[_F]],
    gaz: Gazetteer,
    encode: Callable[[str], _F],
) -> list[list[_F]]:
    """Attributes of each token: its own, the sentence flags, then what its neighbours lend
    (-2, -1 or BOS, +1 or EOS, +2), then the gazetteer's."""
    n = len(cached)
    if not n:
        return []
    gaz_tags = gaz.match([c[2] for c in cached])
    sent: list[_F] = [encode(f) for f in _sentence_flags(words)]
    bos: tuple[_F, ...] = (encode("BOS"),)
    if words[0][:1].isupper():
        bos += (encode("cap@0"),)
    none: tuple[_F, ...] = ()
    ctx: list[tuple[tuple[_F, ...], ...]] = [c[1] for c in cached]
    # What each token's neighbours lend it, aligned with the tokens.
    before2 = [none, none, *[c[0] for c in ctx[:-2]]][:n]
    before1 = [bos, *[c[1] for c in ctx[:-1]]]
    after1 = [*[c[2] for c in ctx[1:]], (encode("EOS"),)]
    after2 = [*[c[3] for c in ctx[2:]], none, none][-n:]
    rows = [
        [*c[0], *sent, *b2, *b1, *a1, *a2]
        for c, b2, b1, a1, a2 in zip(cached, before2, before1, after1, after2, strict=True)
    ]
    if any(gaz_tags):
        for row, extra in zip(rows, _gazetteer_features(gaz_tags), strict=True):
            row += [encode(f) for f in extra]
    return rows


def sentence_features(words: Sequence[str], gaz: Gazetteer) -> list[list[str]]:
    """CRF attributes for each token of one sentence."""
    return _rows(words, [_word_features(w) for w in words], gaz, str)


def encoded_sentence_features(words: Sequence[str], gaz: Gazetteer) -> list[list[bytes]]:
    """`sentence_features` as UTF-8 bytes for the tagger, which then need not encode each one."""
    return _rows(words, [_encoded_word_features(w) for w in words], gaz, str.encode)
