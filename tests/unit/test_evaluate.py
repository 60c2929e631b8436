"""The whole-list evaluator against Whoosh's own search: same documents, same scores,
same order, for every query shape the search box can send."""

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tui_reader.index import patches
from tui_reader.index.engine import Index
from tui_reader.index.evaluate import Evaluator, Unsupported
from tui_reader.index.query import cap_expansions, parse_query
from tui_reader.models import EntityMention, IndexDoc

ID_WORDS = [
    "presiden",
    "jokowi",
    "berkunjung",
    "ke",
    "jakarta",
    "kunjungan",
    "banjir",
    "melanda",
    "warga",
    "pemerintah",
    "komisi",
    "pemberantasan",
    "korupsi",
    "harga",
    "beras",
    "naik",
    "pasar",
    "pedagang",
    "gempa",
    "bumi",
]
EN_WORDS = [
    "president",
    "visited",
    "the",
    "city",
    "floods",
    "hit",
    "residents",
    "government",
    "interest",
    "rates",
    "rise",
    "central",
    "bank",
    "dollar",
    "oil",
    "prices",
    "wall",
    "street",
    "prime",
    "minister",
    "said",
    "trade",
]
PEOPLE = ["Joko Widodo", "Sergei Shoigu", "Kim Jong Un"]
PLACES = ["Jakarta", "Vladivostok", "London"]

QUERIES = [
    "banjir",
    "presiden jokowi",
    "interest rates",
    "oil OR dollar",
    "gempa OR banjir OR pasar",
    "oil NOT prices",
    "presiden NOT (banjir OR gempa)",
    '"komisi pemberantasan korupsi"',
    '"prime minister"',
    '"harga beras" pasar',
    '"beras harga"',
    '"president visited"~3',
    "title:banjir",
    "title:(oil AND prices)",
    "site:tempo",
    "site:reuters oil",
    "lang:en",
    "tag:ekonomi",
    "is:unread banjir",
    'person:"joko widodo"',
    'person:"joko widodo" place:jakarta',
    "place:london OR place:vladivostok",
    "date:2019 banjir",
    "date:[2019-03-01 to 2019-05-31]",
    "trade date:>2019-06-01",
    "(presiden (jo OR jo*))",
    "(ban OR title:ban*)",
    "(oil NOT (pri OR title:pri*))",
    "ber*",
    "nothingmatchesthis",
    "presiden^3 banjir",
    "(gempa OR banjir)^2 warga",
]


def _text(rng: random.Random, words: list[str], n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n)) + "."


def _sample_docs(count: int) -> list[IndexDoc]:
    """Indonesian and English articles of the test vocabulary, with sites, tags, flags,
    dates and entities."""
    rng = random.Random(7)
    start = datetime(2019, 1, 1, tzinfo=UTC)
    docs = []
    for i in range(1, count + 1):
        indonesian = i % 3 != 0
        words = ID_WORDS if indonesian else EN_WORDS
        people = rng.sample(PEOPLE, rng.randint(0, 2))
        places = rng.sample(PLACES, rng.randint(0, 2))
        docs.append(
            IndexDoc(
                id=i,
                title=_text(rng, words, rng.randint(2, 6)),
                text=" ".join(_text(rng, words, rng.randint(4, 12)) for _ in range(6)),
                lang="id" if indonesian else "en",
                site=rng.choice(["tempo", "kompas", "reuters"]),
                author=None,
                url=f"https://example.org/{i}",
                # Some share a date: date order must break ties as Whoosh does.
                published=None if i % 17 == 0 else start + timedelta(days=(i * 5) % 400),
                added=start,
                tags=("ekonomi",) if i % 4 == 0 else (),
                is_read=i % 5 == 0,
                is_starred=False,
                feed_id=None,
                entities=tuple(EntityMention(n, "PER", 1) for n in people)
                + tuple(EntityMention(n, "LOC", 1) for n in places),
            )
        )
    return docs


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    docs = _sample_docs(240)
    ix = Index(tmp_path_factory.mktemp("evaluate") / "index")
    ix.create()
    # Three commits: several segments, and deletions inside the first one.
    ix.update(docs[:100])
    ix.update(docs[100:180])
    ix.update(docs[180:], deleted=[3, 50, 120])
    yield ix
    ix.close()


def _both(
    index: Index, text: str, by_date: bool
) -> tuple[list[tuple[int, float]], list[tuple[int, float]], int]:
    searcher = index._current_searcher()
    q = parse_query(index._parser, text)
    q, _ = cap_expansions(q, searcher.reader(), 8, index.vocabulary)
    sorting = {"sortedby": "sortdate", "reverse": True} if by_date else {}
    results = searcher.search(q, limit=30, optimize=False, **sorting)
    whoosh = [(hit.docnum, float(hit.score or 0.0)) for hit in results]
    everything = sum(1 for _ in searcher.docs_for_query(q))
    ours, total = Evaluator(searcher).top(q, 30, by_date)
    assert total == everything
    return whoosh, ours, everything


@pytest.mark.parametrize("text", QUERIES)
def test_same_ranking_as_whoosh(index: Index, text: str) -> None:
    whoosh, ours, _ = _both(index, text, by_date=False)
    assert [doc for doc, _ in ours] == [doc for doc, _ in whoosh]
    assert [score for _, score in ours] == pytest.approx([score for _, score in whoosh])


@pytest.mark.parametrize("text", QUERIES)
def test_same_date_order_as_whoosh(index: Index, text: str) -> None:
    whoosh, ours, _ = _both(index, text, by_date=True)
    assert [doc for doc, _ in ours] == [doc for doc, _ in whoosh]


def test_the_mix_is_not_trivial(index: Index) -> None:
    """The comparison means something: most queries match, several fill the page."""
    totals = [_both(index, text, by_date=False)[2] for text in QUERIES]
    assert sum(1 for t in totals if t > 0) >= len(QUERIES) - 2
    assert sum(1 for t in totals if t > 30) >= 8


def test_deleted_documents_are_never_found(index: Index) -> None:
    found = {hit.article_id for hit in index.search("banjir OR oil OR pasar", limit=500).hits}
    assert found and not found & {3, 50, 120}


def test_a_query_of_only_not_is_left_to_whoosh(index: Index) -> None:
    searcher = index._current_searcher()
    q = parse_query(index._parser, "NOT banjir")
    with pytest.raises(Unsupported):
        Evaluator(searcher).top(q, 10)
    result = index.search("NOT banjir", limit=500)  # Whoosh's own search answers it
    assert result.hits and result.total == len(result.hits)


def test_index_search_pages_through_the_evaluator(index: Index) -> None:
    everything = index.search("presiden OR oil", limit=1000)
    assert everything.total == len(everything.hits) and everything.total_exact
    second = index.search("presiden OR oil", limit=10, offset=10)
    assert [h.article_id for h in second.hits] == [h.article_id for h in everything.hits[10:20]]


def test_preloaded_field_lengths_are_whooshs(index: Index) -> None:
    """Segments are written with field lengths read in one piece per field (a patch):
    they must be the lengths Whoosh reads one document at a time."""
    from tui_reader.index.patches import _PreloadedLengths

    fields = [*index._current_searcher().schema.names(), "no_such_field"]
    checked = 0
    for sub, _ in index._current_searcher().leaf_searchers():
        perdoc = sub.reader()._perdoc
        preloaded = _PreloadedLengths(perdoc)
        for doc in range(perdoc.doc_count_all()):
            for field in fields:
                expected = perdoc.doc_field_length(doc, field, 7)
                assert preloaded.doc_field_length(doc, field, 7) == expected
                checked += expected not in (None, 0, 7)
    assert checked > 500


@pytest.mark.parametrize("positions", [[0], [7], [4095], [4096], [3, 7, 100], [2, 70_000]])
def test_positions_are_encoded_as_whoosh_does(positions: list[int]) -> None:
    from whoosh.formats import Positions

    from tui_reader.index.fields import encode_positions

    encoded = encode_positions(positions)
    assert encoded == Positions().encode(positions)
    assert Positions().decode_positions(encoded) == positions


def test_posting_pool_counts_memory_as_whoosh_does() -> None:
    """The leaner ``PostingPool.add`` (a patch) spills to disk at the same points."""
    from tui_reader.index import patches

    class Pool:
        def __init__(self) -> None:
            self.fieldnames: set[str] = set()
            self.currentsize, self.limit, self.saves = 0, 600, 0
            self.current: list[object] = []

        def save(self) -> None:
            self.saves += 1
            self.current, self.currentsize = [], 0

    items = [
        ("body_id", b"kota", 3, 1.0, b"\x00\x01"),
        ("title_en", "ünïcode".encode(), 4, 2.0, None),
        ("tag", b"x" * 40, 5, 1.0, b""),
    ] * 3
    ours, whooshs = Pool(), Pool()
    for item in items:
        patches._pool_add(ours, item)
        patches._whoosh_pool_add(whooshs, item)
        assert (ours.currentsize, ours.saves, ours.current) == (
            whooshs.currentsize,
            whooshs.saves,
            whooshs.current,
        )
    assert ours.saves == 2 and ours.fieldnames == {"body_id", "title_en", "tag"}


def test_blocks_without_candidates_are_skipped_not_lost(tmp_path: Path) -> None:
    """A rare word ANDed with one in every document: most of the common word's posting
    blocks hold no candidate and are skipped; the answer is still Whoosh's."""
    start = datetime(2020, 1, 1, tzinfo=UTC)
    docs = [
        IndexDoc(
            id=i,
            title=f"umum {'langka ' if i % 500 == 0 else ''}nomor",
            # The rare word is in a run of documents near the end: whole blocks of the
            # common word's postings before it hold no candidate.
            text=("umum " * (1 + i % 5)) + ("langka" if 1500 <= i < 1525 else "biasa"),
            lang="id",
            site=None,
            author=None,
            url=None,
            published=start + timedelta(days=i % 300),
            added=start,
            tags=(),
            is_read=False,
            is_starred=False,
            feed_id=None,
        )
        for i in range(1, 2001)
    ]
    ix = Index(tmp_path / "index")
    ix.create()
    ix.update(docs)
    try:
        for text in ["umum langka", "langka umum", "is:unread langka", '"umum langka"']:
            whoosh, ours, total = _both(ix, text, by_date=False)
            assert total > 20
            assert [doc for doc, _ in ours] == [doc for doc, _ in whoosh]
            assert [s for _, s in ours] == pytest.approx([s for _, s in whoosh])
    finally:
        ix.close()


@pytest.mark.parametrize("compress_min", [0, patches.COMPRESS_MIN])
def test_segments_are_written_as_whoosh_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compress_min: int
) -> None:
    """Postings, term infos and the terms table are written in one pass per term (a patch):
    the segment files must be exactly Whoosh's, blocks of many postings included; leaving
    small blocks uncompressed changes only those blocks, and every posting reads the same."""
    from dataclasses import replace

    from whoosh import index as windex
    from whoosh.codec import base
    from whoosh.writing import SegmentWriter

    from tui_reader.index.build import add_documents
    from tui_reader.index.fields import STEMMED_FIELDS, build_schema

    docs = _sample_docs(700)
    # Other languages, authors, feeds, starred articles and an empty body too.
    docs += [
        replace(d, id=d.id + 1000, lang="de", author="Anna Muster", feed_id=3, is_starred=True)
        for d in docs[:150]
    ]
    docs.append(replace(docs[0], id=5000, text="", title="x"))

    def segment_files(folder: Path, ours: bool) -> dict[str, bytes]:
        folder.mkdir()
        ix = windex.create_in(str(folder), build_schema())
        writer = SegmentWriter(ix, compound=False)
        add_documents(writer, docs, {f: set() for f in STEMMED_FIELDS}, replace=False)
        if ours:
            writer.commit()
        else:
            patched = base.FieldWriter.add_postings
            base.FieldWriter.add_postings = patches._add_postings  # Whoosh's own
            try:
                writer.commit()
            finally:
                base.FieldWriter.add_postings = patched
        segment = ix.latest_generation()
        files = {p.name.split(".", 1)[1]: p.read_bytes() for p in folder.glob("MAIN_*.*")}
        assert segment >= 0 and {"trm", "pst"} <= files.keys()
        return files

    monkeypatch.setattr(patches, "COMPRESS_MIN", compress_min)
    ours = segment_files(tmp_path / "ours", True)
    whooshs = segment_files(tmp_path / "whoosh", False)
    assert ours.keys() == whooshs.keys()
    for name, data in whooshs.items():
        if compress_min == 0 or name not in ("pst", "trm"):
            assert ours[name] == data, name
    assert postings(tmp_path / "ours") == postings(tmp_path / "whoosh")


def postings(folder: Path) -> list[tuple[Any, ...]]:
    """Every term of an index with its statistics and postings, as read back."""
    from whoosh import index as windex

    found: list[tuple[Any, ...]] = []
    with windex.open_dir(str(folder)).reader() as reader:
        for field, text in reader.all_terms():
            info = reader.term_info(field, text)
            stats = (info.weight(), info.doc_frequency(), info.max_weight())
            stats += (info.min_length(), info.max_length(), info.min_id(), info.max_id())
            matcher = reader.postings(field, text)
            items = []
            while matcher.is_active():
                items.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            found.append((field, text, stats, items))
    assert len(found) > 1000
    return found


@pytest.mark.parametrize(
    "value",
    [
        "Joko Widodo",
        "Kim Jong Un\nKim Jong Un\nVladimir Putin",
        "Ségolène Royal\nJean-Luc Mélenchon\nO'Brien",
        "tempo.co",
        "  \n",
        "Über die Straße — São Paulo, Ürümqi 2023",
    ],
)
def test_name_fields_index_as_whoosh_does(value: str) -> None:
    """Sites, authors and entity names go through the indexing fast path (a patch): the
    same terms, frequencies, weights and positions as Whoosh's token pipeline."""
    from whoosh.fields import TEXT

    from tui_reader.index.analysis import keyword_analyzer

    field = TEXT(analyzer=keyword_analyzer())
    assert patches._plain_words(field)
    ours = sorted(field.index(value))
    assert ours == sorted(patches._text_index(field, value))
    assert all(isinstance(term, bytes) for term, *_ in ours)
    # Nothing was kept on the field itself: Whoosh pickles its attributes into the index.
    assert field.__dict__.keys() == TEXT(analyzer=keyword_analyzer()).__dict__.keys()
