"""The archive's SQLite schema, as an ordered list of migrations.

``PRAGMA user_version`` records how many have been applied. A migration is never
edited once released; a change is a new entry at the end.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema.
    """
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        site_url TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        etag TEXT,
        last_modified TEXT,
        last_success TEXT,
        last_error TEXT,
        error_count INTEGER NOT NULL DEFAULT 0,
        added TEXT NOT NULL
    );
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        url TEXT UNIQUE,
        title TEXT NOT NULL,
        author TEXT,
        site TEXT,
        published TEXT,
        added TEXT NOT NULL,
        updated TEXT NOT NULL,
        lang TEXT,
        text TEXT NOT NULL,
        description TEXT,
        word_count INTEGER NOT NULL DEFAULT 0,
        content_hash TEXT NOT NULL,
        origin TEXT NOT NULL,
        feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
        guid TEXT,
        image TEXT,
        categories TEXT NOT NULL DEFAULT '[]',
        summary_only INTEGER NOT NULL DEFAULT 0,
        is_read INTEGER NOT NULL DEFAULT 0,
        is_starred INTEGER NOT NULL DEFAULT 0,
        reading_position REAL NOT NULL DEFAULT 0,
        entities_done INTEGER NOT NULL DEFAULT 0,
        needs_index INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX articles_hash ON articles(content_hash);
    CREATE INDEX articles_date ON articles(coalesce(published, added));
    CREATE INDEX articles_feed_guid ON articles(feed_id, guid);
    CREATE INDEX articles_to_index ON articles(needs_index) WHERE needs_index = 1;
    CREATE TABLE raw_pages (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        html BLOB NOT NULL
    );
    CREATE TABLE tags (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (article_id, tag)
    ) WITHOUT ROWID;
    CREATE INDEX tags_tag ON tags(tag);
    CREATE TABLE entities (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        UNIQUE (name, type)
    );
    CREATE TABLE mentions (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        entity_id INTEGER NOT NULL REFERENCES entities(id),
        count INTEGER NOT NULL,
        spans TEXT NOT NULL,
        PRIMARY KEY (article_id, entity_id)
    ) WITHOUT ROWID;
    CREATE INDEX mentions_entity ON mentions(entity_id);
    CREATE TABLE saved_searches (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        query TEXT NOT NULL UNIQUE,
        added TEXT NOT NULL
    );
    CREATE TABLE index_deletions (
        article_id INTEGER PRIMARY KEY
    );
    """,
    # 2: needs_index counts changes (a version), so a change made while the article was
    # being indexed is not lost when the indexer marks what it indexed.
    """
    DROP INDEX articles_to_index;
    CREATE INDEX articles_to_index ON articles(needs_index) WHERE needs_index > 0;
    """,
    # 3: every refresh looks for articles stored but never analysed (an interrupted
    # refresh's): without this, that scanned every row (0.1 s on 46k articles).
    """
    CREATE INDEX articles_unanalysed ON articles(id) WHERE entities_done = 0;
    """,
)

LATEST_VERSION = len(MIGRATIONS)
