import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from tests.helpers import EN_VISIT, ID_OTHER, ID_VISIT, make_archive
from tui_reader.archive import Archive
from tui_reader.errors import QueryError
from tui_reader.models import EntityMention, IndexDoc


@pytest.fixture
def archive(reader_home: Path) -> Archive:
    a = make_archive(reader_home, ID_VISIT, EN_VISIT, ID_OTHER)
    yield a
    a.close()


def titles(archive: Archive, query: str, **kw: object) -> list[str]:
    return [h.article.title for h in archive.search(query, **kw).hits]  # type: ignore[arg-type]


@pytest.mark.parametrize("query", ["berkunjung", "kunjungan", "dikunjungi", "kunjungannya"])
def test_indonesian_morphology_is_found(archive: Archive, query: str) -> None:
    assert titles(archive, query) == [ID_VISIT.title]


@pytest.mark.parametrize("query", ["visiting", "visited", "visit"])
def test_english_morphology_is_found(archive: Archive, query: str) -> None:
    assert titles(archive, query) == [EN_VISIT.title]


def test_snippet_marks_the_matched_words(archive: Archive) -> None:
    hit = archive.search("berkunjung").hits[0]
    marked = [hit.snippet[a:b] for a, b in hit.marks]
    assert marked and all(w.lower().startswith(("berkunjung", "kunjungan")) for w in marked)


def test_fields_phrases_and_booleans(archive: Archive) -> None:
    assert titles(archive, '"jembatan baru"') == [ID_VISIT.title]
    assert titles(archive, '"warga ribuan"') == []
    assert titles(archive, '"ribuan warga"') == [ID_VISIT.title]
    assert titles(archive, "lang:en") == [EN_VISIT.title]
    assert titles(archive, "site:kabar lang:id", sort="date") == [ID_OTHER.title, ID_VISIT.title]
    assert titles(archive, "presiden OR minister", sort="date") == [EN_VISIT.title, ID_VISIT.title]
    assert titles(archive, "presiden NOT surabaya") == []
    assert titles(archive, "title:beras") == [ID_OTHER.title]


def test_dates(archive: Archive) -> None:
    assert titles(archive, "date:2019 presiden") == [ID_VISIT.title]
    assert titles(archive, "date:2019-07") == [ID_OTHER.title]
    assert titles(archive, "date:[2019-01-01 to 2019-06-30]") == [ID_VISIT.title]
    assert titles(archive, "date:>2020-01-01") == [EN_VISIT.title]


def test_flags_tags_and_entities_are_searchable(archive: Archive) -> None:
    first = archive.search("beras").hits[0].article.id
    archive.set_read(first)
    archive.set_starred(first)
    archive.set_tags(first, ["Ekonomi"])
    assert titles(archive, "is:starred") == [ID_OTHER.title]
    assert ID_OTHER.title not in titles(archive, "is:unread")
    assert titles(archive, "tag:ekonomi") == [ID_OTHER.title]
    archive.store.set_entities(first, [EntityMention("Kim Jong Un", "PER", 1, ((0, 3),))])
    archive.sync_index()
    assert titles(archive, 'person:"Kim Jong Un"') == [ID_OTHER.title]
    assert titles(archive, 'person:"Jong Kim"') == []


def test_did_you_mean(archive: Archive) -> None:
    result = archive.search("surabya")
    assert result.total == 0
    assert result.suggestion == "surabaya"


def test_wildcards_are_capped_and_say_so(reader_home: Path) -> None:
    words = " ".join(f"mengata{i:03d}x" for i in range(150))
    archive = make_archive(reader_home, replace(ID_VISIT, text=ID_VISIT.text + " " + words))
    archive.config = replace(
        archive.config, search=replace(archive.config.search, max_expansion=20)
    )
    try:
        result = archive.search("mengata*")
    finally:
        archive.close()
    assert result.total == 1
    assert any("most common" in n for n in result.notices)


def test_bad_query_raises_query_error(archive: Archive) -> None:
    with pytest.raises(QueryError):
        archive.search('"open phrase')


def test_update_by_url_replaces_in_the_index(archive: Archive) -> None:
    archive.add_draft(replace(ID_OTHER, text=ID_OTHER.text + " Gula juga naik."))
    assert titles(archive, "gula") == [ID_OTHER.title]
    assert archive.count() == 3


def test_deleted_index_is_rebuilt(archive: Archive) -> None:
    archive.index.close()
    shutil.rmtree(archive.paths.index_dir)
    note = archive.ensure_index()
    assert note is not None and "rebuilt" in note
    assert archive.doctor().ok
    assert titles(archive, "beras") == [ID_OTHER.title]


def test_doctor_finds_and_repairs_drift(archive: Archive) -> None:
    victim = archive.search("beras").hits[0].article.id
    # an article stored but never indexed, and an index entry whose article is gone
    archive.store.execute("UPDATE articles SET needs_index = 0")
    archive.index.update([], [victim])
    archive.store.execute("DELETE FROM articles WHERE id = ?", (victim + 100,))
    report = archive.doctor()
    assert not report.ok and any("missing" in p for p in report.problems)
    repaired = archive.doctor(repair=True)
    assert repaired.ok, repaired.problems
    assert archive.doctor().ok


def test_related_articles(archive: Archive) -> None:
    article = archive.get(archive.search("beras").hits[0].article.id)
    assert all(r.id != article.id for r in archive.related(article))


def test_match_spans_point_at_the_words(archive: Archive) -> None:
    article = archive.get(archive.search("berkunjung").hits[0].article.id)
    spans = archive.match_spans(article, "kunjungan")
    assert [article.text[a:b] for a, b in spans] == ["berkunjung", "Kunjungan", "kunjungannya"]


def test_berkunjung_finds_mengunjungi(reader_home: Path) -> None:
    only_meng = replace(
        ID_OTHER,
        title="Menteri meninjau pasar",
        text="Menteri perdagangan mengunjungi pasar induk untuk memeriksa harga bahan pokok.",
        url="https://news.example.id/menteri-pasar",
    )
    archive = make_archive(reader_home, only_meng)
    try:
        assert titles(archive, "berkunjung") == ["Menteri meninjau pasar"]
    finally:
        archive.close()


def test_an_index_from_another_analysis_version_is_rebuilt(archive: Archive) -> None:
    (archive.paths.index_dir / "analysis-version").write_text("1\n")
    assert not archive.doctor().ok
    note = archive.ensure_index()
    assert note is not None and "rebuilt" in note
    assert archive.doctor().ok
    assert titles(archive, "beras") == [ID_OTHER.title]


def test_reindex_in_worker_processes_finds_the_same(archive: Archive) -> None:
    queries = ["berkunjung", "kunj*", "visit*", '"ribuan warga"', "lang:en", "date:2019"]
    before = {q: titles(archive, q) for q in queries}
    assert archive.reindex(procs=2) == 3
    assert {q: titles(archive, q) for q in queries} == before
    assert archive.search("surabya").suggestion == "surabaya"
    assert archive.doctor().ok


def test_a_failing_index_worker_leaves_the_index_as_it_was(archive: Archive) -> None:
    from tui_reader.errors import StoreError

    docs = archive.store.index_docs([h.article.id for h in archive.search("lang:id").hits])
    broken = replace(docs[0], text=None)  # type: ignore[arg-type]
    with (
        pytest.raises(StoreError, match="building the search index failed"),
        archive.index.session(bulk=True, procs=2) as session,
    ):
        for batch in [docs[1:], [broken]]:
            session.add(batch)
    assert archive.index.doc_count() == 3
    assert titles(archive, "berkunjung") == [ID_VISIT.title]
    archive.set_tags(docs[0].id, ["baru"])  # the index lock was released
    assert titles(archive, "tag:baru") == [ID_VISIT.title]


def _tag_prepared(docs: list[IndexDoc]) -> tuple[list[IndexDoc], list[int]]:
    """A ``prepare`` step (module level: worker processes unpickle it)."""
    return [replace(d, tags=("prepared",)) for d in docs], [d.id for d in docs]


@pytest.mark.parametrize("procs", [1, 2])
def test_a_prepare_step_changes_the_documents_and_reports_back(
    archive: Archive, procs: int
) -> None:
    ids = [h.article.id for h in archive.search("lang:id").hits]
    reports: list[list[int]] = []
    with archive.index.session(
        bulk=True, procs=procs, prepare=_tag_prepared, on_prepared=reports.append
    ) as session:
        session.add(archive.store.index_docs(ids))
    assert sorted(i for report in reports for i in report) == sorted(ids)
    assert sorted(h.article.id for h in archive.search("tag:prepared").hits) == sorted(ids)
    assert archive.index.doc_count() == 3


@pytest.mark.parametrize("index_workers", [1, 2])
def test_import_indexes_the_latest_version_once(
    archive: Archive, index_workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui_reader import archive as archive_module
    from tui_reader.importer import ImportItem

    monkeypatch.setattr(archive_module, "STORE_BATCH", 3)  # the repeat in another batch

    items = [
        ImportItem("new", replace(ID_OTHER, url="https://x.example/a", title="Banjir di Medan")),
        ImportItem(
            "update",
            replace(ID_VISIT, title="Presiden meninjau Surabaya", text="Peninjauan jembatan."),
        ),
        ImportItem("twice", replace(EN_VISIT, url="https://x.example/b", title="Storm hits")),
        ImportItem("twice", replace(EN_VISIT, url="https://x.example/b", title="Storm passes")),
    ]
    report = archive.import_items(items, workers=1, index_workers=index_workers)
    assert (report.added, report.updated, report.failed) == (2, 2, 0)
    assert titles(archive, "banjir") == ["Banjir di Medan"]
    assert titles(archive, "meninjau") == ["Presiden meninjau Surabaya"]
    assert titles(archive, "berkunjung") == []  # the old version's words are gone
    assert titles(archive, "storm") == ["Storm passes"]
    assert archive.index.doc_count() == archive.count() == 5
    assert archive.doctor().ok


@pytest.mark.parametrize(
    "query",
    ["presiden surabaya", "(berk OR title:berk*)", "visit* OR beras", '"jembatan baru" warga'],
)
def test_heap_unions_rank_exactly_like_whoosh_unions(
    archive: Archive, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui_reader.index import matching

    def ranked() -> list[tuple[int, float]]:
        hits = archive.index.search(query, limit=10).hits
        return [(h.article_id, round(h.score, 9)) for h in hits]

    heap = ranked()
    monkeypatch.setattr(matching, "MIN_CHILDREN", 10**9)  # Whoosh's own binary trees
    assert heap and heap == ranked()


def test_date_ranges_skip_replaced_versions(archive: Archive) -> None:
    visit = archive.search("berkunjung").hits[0].article.id
    archive.set_read(visit)  # re-indexed: the old copy is deleted, not gone from its segment
    archive.set_starred(visit)
    assert titles(archive, "date:2019-03") == [ID_VISIT.title]
    assert titles(archive, "date:<2019-12-31 is:starred") == [ID_VISIT.title]
    assert titles(archive, "date:[2019-03-05 to 2019-06-30]") == []


def test_totals_are_exact_when_asked_and_never_below_the_page(reader_home: Path) -> None:
    drafts = [
        replace(
            ID_OTHER,
            url=f"https://x.example/{i}",
            title=f"Harga beras {i}" if i % 3 == 0 else f"Pasar pagi {i}",
            text=("beras " * (1 + i % 7)) + f"pedagang nomor {i} di pasar tradisional.",
        )
        for i in range(40)
    ]
    archive = make_archive(reader_home, *drafts)
    # The evaluator counts every match anyway; a query of only NOT goes to Whoosh,
    # which estimates when no exact count is asked for.
    for query in ["beras", "pasar", "beras pedagang", "(bera OR title:bera*)", "NOT harga"]:
        everything = len(archive.index.search(query, limit=1000).hits)
        exact = archive.index.search(query, limit=5, exact_total=True)
        about = archive.index.search(query, limit=5, exact_total=False)
        assert exact.total == everything and exact.total_exact
        assert about.total >= everything
        assert about.total == everything or not about.total_exact
        if query.startswith("NOT"):
            assert not about.total_exact
    archive.close()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("presiden date:2019", [ID_VISIT.title]),
        ("date:>2020-01-01", [EN_VISIT.title]),
        ("beras date:[2019-07-01 to 2019-07-31]", [ID_OTHER.title]),
    ],
)
def test_dates_typed_in_the_search_box(archive: Archive, typed: str, expected: list[str]) -> None:
    from tui_reader.ui.search import ListSource

    sent = ListSource(query=typed).index_query()  # "(presiden date:2019)": a closing bracket
    result = archive.search(sent, exact_total=False)
    assert [h.article.title for h in result.hits] == expected
    assert result.total == len(expected)
