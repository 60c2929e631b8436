import sqlite3
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from tests.helpers import EN_VISIT, ID_VISIT
from tui_reader.errors import NotFoundError, StoreError
from tui_reader.models import Analysis, EntityMention, IngestStatus, PreparedArticle
from tui_reader.schema import LATEST_VERSION
from tui_reader.store import Store, entity_ids_sql
from tui_reader.textutil import content_hash


def prepared(draft=ID_VISIT, **changes: object) -> PreparedArticle:  # type: ignore[no-untyped-def]
    draft = replace(draft, **changes)  # type: ignore[arg-type]
    return PreparedArticle(draft, draft.lang, content_hash(draft.title, draft.text), 30, None)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "db" / "archive.sqlite3")


def test_new_store_is_private_wal_and_versioned(store: Store) -> None:
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    assert store.query("PRAGMA user_version")[0][0] == LATEST_VERSION


def test_insert_then_get(store: Store) -> None:
    [outcome] = store.save_batch([prepared()])
    assert outcome.status is IngestStatus.ADDED
    article = store.get(outcome.article_id or 0)
    assert article.title == ID_VISIT.title
    assert article.summary.url == "https://news.example.id/kunjungan-presiden"  # tracker dropped
    assert article.summary.lang == "id"
    assert not article.summary.is_read


def test_same_url_updates_instead_of_copying(store: Store) -> None:
    first = store.save_batch([prepared()])[0]
    store.set_flag(first.article_id or 0, "is_starred", True)
    again = store.save_batch([prepared(text=ID_VISIT.text + " Tambahan.")])[0]
    assert again.status is IngestStatus.UPDATED
    assert again.article_id == first.article_id
    assert store.count() == 1
    assert store.get(first.article_id or 0).summary.is_starred  # flags survive an update


def test_same_content_elsewhere_is_a_duplicate(store: Store) -> None:
    first = store.save_batch([prepared()])[0]
    dup = store.save_batch([prepared(url="https://mirror.example.org/copy")])[0]
    assert dup.status is IngestStatus.DUPLICATE
    assert dup.duplicate_of == first.article_id
    assert f"duplicate of #{first.article_id}" in dup.message
    assert store.count() == 1


def test_a_failing_batch_leaves_nothing_half_written(store: Store) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), store.transaction() as db:
        db.execute(
            "INSERT INTO articles (title, added, updated, text, content_hash, origin) "
            "VALUES ('x', 'now', 'now', 'y', 'h', 'file')"
        )
        raise Boom
    assert store.count() == 0


def test_entities_are_stored_with_spans_and_counted(store: Store) -> None:
    ents = (EntityMention("Joko Widodo", "PER", 2, ((10, 21), (50, 54))),)
    item = replace(prepared(), entities=ents)
    a = store.save_batch([item])[0].article_id or 0
    b_item = replace(
        prepared(EN_VISIT), entities=(EntityMention("Joko Widodo", "PER", 1, ((0, 4),)),)
    )
    store.save_batch([b_item])
    assert store.get(a).entities == ents
    top = store.top_entities()
    assert (top[0].name, top[0].articles, top[0].mentions) == ("Joko Widodo", 2, 3)
    assert store.top_entities("LOC") == []


def test_entities_of_a_batch_share_rows_and_replace_old_mentions(store: Store) -> None:
    jokowi = EntityMention("Joko Widodo", "PER", 1, ((0, 4),))
    java_place = EntityMention("Jawa", "LOC", 2, ((5, 9), (20, 24)))
    java_org = EntityMention("Jawa", "ORG", 1, ((30, 34),))
    first = replace(prepared(), entities=(jokowi, java_place))
    second = replace(prepared(EN_VISIT), entities=(jokowi, java_org))
    a, b = (o.article_id or 0 for o in store.save_batch([first, second]))
    assert store.query("SELECT count(*) FROM entities")[0][0] == 3
    assert store.get(a).entities == (java_place, jokowi)  # most mentioned first
    assert store.get(b).entities == (java_org, jokowi)  # then by name
    # Analysis done again: the old mentions go, the new ones come.
    store.save_analysis([Analysis(a, "id", (java_org,)), Analysis(b, "en", second.entities)])
    assert store.get(a).entities == (java_org,)
    assert store.get(b).entities == (java_org, jokowi)
    assert {(t.name, t.type, t.articles) for t in store.top_entities()} == {
        ("Jawa", "ORG", 2),
        ("Joko Widodo", "PER", 1),
    }
    # The index takes names and types, not offsets.
    docs = {d.id: d for d in store.index_docs([a, b])}
    assert [(e.name, e.type, e.count, e.spans) for e in docs[b].entities] == [
        ("Jawa", "ORG", 1, ()),
        ("Joko Widodo", "PER", 1, ()),
    ]


def test_entity_ids_are_looked_up_through_the_index(store: Store) -> None:
    sql = "EXPLAIN QUERY PLAN " + entity_ids_sql(3)
    plan = " ".join(str(row[3]) for row in store.query(sql, ["a", "b", "c"]))
    assert "USING COVERING INDEX" in plan and "SCAN" not in plan


def test_tags_flags_and_listing(store: Store) -> None:
    a = store.save_batch([prepared()])[0].article_id or 0
    b = store.save_batch([prepared(EN_VISIT)])[0].article_id or 0
    store.set_tags(a, ["politik", "jatim"])
    store.set_flag(b, "is_read", True)
    assert [s.id for s in store.list_summaries("unread")] == [a]
    assert [s.id for s in store.list_summaries(tag="politik")] == [a]
    assert store.all_tags() == [("jatim", 1), ("politik", 1)]
    # newest first: EN_VISIT is from 2023, ID_VISIT from 2019
    assert [s.id for s in store.list_summaries()] == [b, a]
    with pytest.raises(NotFoundError):
        store.set_flag(999, "is_read", True)


def test_raw_html_round_trips_compressed(store: Store) -> None:
    html = b"<html>" + b"x" * 10_000 + b"</html>"
    a = store.save_batch([prepared(raw_html=html)])[0].article_id or 0
    assert store.raw_html(a) == html
    stored = store.query("SELECT length(html) FROM raw_pages")[0][0]
    assert stored < 1000


def test_older_schema_is_migrated_after_a_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui_reader.store as store_module

    path = tmp_path / "archive.sqlite3"
    first = store_module.MIGRATIONS[:1]
    monkeypatch.setattr(store_module, "MIGRATIONS", first)
    monkeypatch.setattr(store_module, "LATEST_VERSION", 1)
    old = Store(path)
    old.save_batch([prepared()])
    old.close()
    monkeypatch.setattr(store_module, "MIGRATIONS", (*first, "CREATE TABLE extra (x)"))
    monkeypatch.setattr(store_module, "LATEST_VERSION", 2)
    new = Store(path)
    assert new.query("PRAGMA user_version")[0][0] == 2
    backup = tmp_path / "archive.sqlite3.v1.bak"
    assert backup.exists()
    assert sqlite3.connect(backup).execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    assert new.count() == 1


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    db.close()
    with pytest.raises(StoreError, match="newer tui-reader"):
        Store(path)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open the archive"):
        Store(path)


def test_a_change_while_indexing_stays_pending(store: Store) -> None:
    a = store.save_batch([prepared()])[0].article_id or 0
    [doc] = store.index_docs([a])  # the indexer reads the article...
    store.set_flag(a, "is_starred", True)  # ...another process changes it...
    store.mark_indexed({doc.id: doc.version})  # ...then the indexer marks what it read
    assert store.pending_index()[0] == [a]
    [again] = store.index_docs([a])
    store.mark_indexed({again.id: again.version})
    assert store.pending_index()[0] == []


def test_analysis_needs_indexing_again_unless_it_is_in_the_documents_being_written(
    store: Store,
) -> None:
    a, b = (o.article_id or 0 for o in store.save_batch([prepared(), prepared(EN_VISIT)]))
    read = {d.id: d.version for d in store.index_docs([a, b])}
    jokowi = EntityMention("Joko Widodo", "PER", 1, ((0, 4),))
    store.save_analysis([Analysis(a, "id", (jokowi,))])  # found after the read: index again
    store.save_analysis([Analysis(b, "en", ())], reindex=False)  # written with the read
    store.mark_indexed(read)
    assert store.pending_index()[0] == [a]
    assert store.get(b).summary.lang == "en"
    assert store.get(a).entities == (jokowi,)


def test_unanalysed_articles_oldest_first_and_flagged_for_the_index(store: Store) -> None:
    stored = store.save_batch([replace(prepared(), entities=None), prepared(EN_VISIT)])
    a, b = (o.article_id or 0 for o in stored)
    assert store.unanalysed(10) == [a, b]
    assert store.unanalysed(1) == [a]
    store.save_analysis([Analysis(a, "id", ())])
    assert store.unanalysed(10) == [b]
    store.mark_indexed({d.id: d.version for d in store.index_docs([a, b])})
    store.mark_for_index([b])
    assert store.pending_index()[0] == [b]
