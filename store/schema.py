"""The database schema as an ordered list of migrations (applied by store.db).

Each entry is SQL run once, in order; `PRAGMA user_version` records how many have run. Never edit
an entry that has shipped: append a new one.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: the core tables of DESIGN.md.
    """
    CREATE TABLE items (
        key TEXT PRIMARY KEY,              -- url_key(canonical URL)
        source_id TEXT NOT NULL,
        url TEXT NOT NULL,
        canonical_url TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        list_title TEXT NOT NULL DEFAULT '',
        published_at TEXT NOT NULL DEFAULT '',   -- '2026-11-20' or '2026-11-20T09:30:00+08:00'
        fetched_at TEXT NOT NULL,
        source_name TEXT NOT NULL DEFAULT '',
        attribution TEXT,                  -- the publisher a 来源：/转载自 line names
        text TEXT NOT NULL DEFAULT '',
        html TEXT NOT NULL DEFAULT '',
        summary TEXT NOT NULL DEFAULT '',
        attachments TEXT NOT NULL DEFAULT '[]',
        content_hash TEXT NOT NULL DEFAULT '',
        signature BLOB,
        cluster_id TEXT,                   -- key of the canonical item of its reprint group
        sector TEXT,
        score REAL NOT NULL DEFAULT 0,
        explanation TEXT NOT NULL DEFAULT '{}',
        rank REAL NOT NULL DEFAULT 0,           -- rank_base + points for reprints
        rank_base REAL NOT NULL DEFAULT 0,
        reprints INTEGER NOT NULL DEFAULT 0,    -- other members of its reprint cluster
        status TEXT NOT NULL DEFAULT 'new',
        reviewer TEXT,
        reviewed_at TEXT,
        note TEXT NOT NULL DEFAULT '',
        processed_at TEXT
    );
    CREATE INDEX items_queue ON items (status, sector, rank DESC);
    CREATE INDEX items_cluster ON items (cluster_id);
    CREATE INDEX items_content_hash ON items (content_hash);
    CREATE INDEX items_source ON items (source_id, fetched_at);
    CREATE INDEX items_published ON items (published_at);

    -- Near-duplicate index: one row per LSH band of each item, so a lookup costs the same at 10k
    -- and 300k stored items (PERF.md).
    CREATE TABLE lsh_bands (
        band INTEGER NOT NULL,
        key TEXT NOT NULL,
        PRIMARY KEY (band, key)
    ) WITHOUT ROWID;

    CREATE TABLE sources (
        id TEXT PRIMARY KEY,
        last_run_at TEXT,
        last_success_at TEXT,
        last_error_at TEXT,
        last_error_kind TEXT,
        last_error TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        failing_since TEXT,
        newest_item_at TEXT,
        items_total INTEGER NOT NULL DEFAULT 0,
        quarantined INTEGER NOT NULL DEFAULT 0
    );

    -- Conditional GET state per URL: a source may have several list pages or feeds.
    CREATE TABLE http_cache (
        url TEXT PRIMARY KEY,
        source_id TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        checked_at TEXT
    );

    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL DEFAULT 'running',  -- running | ok | failed | crashed
        trigger TEXT NOT NULL DEFAULT 'manual',
        sources INTEGER NOT NULL DEFAULT 0,
        requests INTEGER NOT NULL DEFAULT 0,
        new INTEGER NOT NULL DEFAULT 0,
        duplicate INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        log_tail TEXT
    );

    CREATE TABLE source_runs (
        run_id INTEGER NOT NULL,
        source_id TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        requests INTEGER NOT NULL DEFAULT 0,
        pages INTEGER NOT NULL DEFAULT 0,
        items_seen INTEGER NOT NULL DEFAULT 0,
        new INTEGER NOT NULL DEFAULT 0,
        duplicate INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        error_kind TEXT,
        error TEXT,
        errors TEXT NOT NULL DEFAULT '{}',      -- error kind -> count
        duration REAL,
        PRIMARY KEY (run_id, source_id)
    );

    CREATE TABLE issues (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        year INTEGER NOT NULL,
        number INTEGER NOT NULL,               -- 第N期, restarts each year
        total_number INTEGER NOT NULL,         -- 总第M期, never restarts
        special_title TEXT NOT NULL DEFAULT '',
        subtitle TEXT NOT NULL DEFAULT '',
        issue_date TEXT NOT NULL,
        editor_note TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'draft',   -- draft | final
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL DEFAULT '',
        finalized_at TEXT,
        UNIQUE (year, number),
        UNIQUE (total_number)
    );

    CREATE TABLE issue_items (
        issue_id INTEGER NOT NULL REFERENCES issues(id),
        item_key TEXT NOT NULL REFERENCES items(key),
        section TEXT NOT NULL,
        position INTEGER NOT NULL,
        title TEXT,                             -- editor override for this issue
        summary TEXT,
        PRIMARY KEY (issue_id, item_key)
    );
    CREATE INDEX issue_items_item ON issue_items (item_key);

    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        before TEXT,
        after TEXT
    );
    CREATE INDEX events_at ON events (at);

    -- Full-text search for the desk. Chinese has no spaces, so trigram. External content keeps one
    -- copy of the text. Only processed items are indexed: the crawl's hot insert path stays cheap
    -- (PERF.md: trigram indexing costs ~4 ms a row), and the desk only shows processed items. The
    -- update trigger fires only on the indexed columns, so a status click pays no re-index.
    CREATE VIRTUAL TABLE items_fts USING fts5(
        title, text, content='items', content_rowid='rowid', tokenize='trigram'
    );
    CREATE TRIGGER items_fts_first AFTER UPDATE OF processed_at ON items
    WHEN old.processed_at IS NULL AND new.processed_at IS NOT NULL BEGIN
        INSERT INTO items_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    CREATE TRIGGER items_fts_update AFTER UPDATE OF title, text ON items
    WHEN old.processed_at IS NOT NULL BEGIN
        INSERT INTO items_fts (items_fts, rowid, title, text)
        VALUES ('delete', old.rowid, old.title, old.text);
        INSERT INTO items_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    CREATE TRIGGER items_fts_delete AFTER DELETE ON items WHEN old.processed_at IS NOT NULL BEGIN
        INSERT INTO items_fts (items_fts, rowid, title, text)
        VALUES ('delete', old.rowid, old.title, old.text);
    END;
    """,
    # 2: the editors' desk: accounts, a per-install secret for signed sessions, how an issue prints
    # each item (full text or summary), and indexes for the audit page and per-item undo.
    """
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,       -- werkzeug scrypt hash, never the password
        display_name TEXT NOT NULL DEFAULT '',
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    );
    CREATE TABLE desk_secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    ALTER TABLE issue_items ADD COLUMN body TEXT NOT NULL DEFAULT 'text';  -- text | summary
    CREATE INDEX events_subject ON events (subject, id);
    CREATE INDEX events_action ON events (action, id);
    -- The queue's source and date filters: counting per sector stays inside these indexes
    -- (bench/desk.py: 1.6 s cold, 110 ms warm without them at 100k items; ~2 ms with).
    CREATE INDEX items_review_source ON items (status, source_id, published_at, sector);
    CREATE INDEX items_review_date ON items (status, published_at, sector);
    -- The trigram index cannot match a 2-character word (假发, 锂电), which editors search most;
    -- its vocabulary lists the trigrams that start with one, and those can be matched.
    CREATE VIRTUAL TABLE items_fts_vocab USING fts5vocab(items_fts, row);
    """,
    # 3: unattended operation: per-source backoff and quarantine time, the run's error class and
    # owner (to recover the runs of a killed process), alert de-duplication, scheduler state.
    """
    ALTER TABLE sources ADD COLUMN next_due_at TEXT;        -- backoff: not crawled before this
    ALTER TABLE sources ADD COLUMN quarantined_at TEXT;
    ALTER TABLE runs ADD COLUMN error_kind TEXT;             -- crawl_exit | killed | timeout | ...
    ALTER TABLE runs ADD COLUMN pid INTEGER;                 -- the process that runs the cycle
    ALTER TABLE runs ADD COLUMN source_ids TEXT NOT NULL DEFAULT '[]';
    CREATE INDEX runs_status ON runs (status);
    CREATE INDEX source_runs_source ON source_runs (source_id, started_at);
    CREATE TABLE alerts (
        key TEXT PRIMARY KEY,                -- kind:subject, the de-duplication key
        kind TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT '',    -- a source id, or '' for the whole cycle
        message TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        first_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        notified_at TEXT,
        resolved_at TEXT,
        times INTEGER NOT NULL DEFAULT 1     -- evaluations that found it active
    );
    CREATE TABLE scheduler_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # 4: the processing queue reads new items in fetch order; without this index every batch sorted
    # all remaining new rows, whole texts included (bench/pipeline.py: 68 items/s and 1 GB at 100k).
    """
    CREATE INDEX items_new ON items (status, fetched_at, key);
    """,
    # 5: self-healing lists (issue 13): a run whose list selectors broke but whose items automatic
    # detection found is healthy yet flagged; the source keeps the flag until a run clears it.
    """
    ALTER TABLE source_runs ADD COLUMN flag TEXT;
    ALTER TABLE sources ADD COLUMN flag TEXT;
    """,
    # 6: every run names the host of its process (issue 13): crash recovery checks pids only of
    # runs on its own host.
    """
    ALTER TABLE runs ADD COLUMN host TEXT;
    """,
    # 7: the editors' week (issue 15): account roles, login throttling, proposed issues.
    # Existing accounts become editors: no desk action they could take before needs the admin
    # role (every admin action is new), and ops promote one with `newsdesk users role NAME admin`.
    """
    ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'editor';    -- editor | admin
    CREATE TABLE login_failures (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT '',
        throttled INTEGER NOT NULL DEFAULT 0   -- refused without checking the password
    );
    CREATE INDEX login_failures_name ON login_failures (name, at);
    CREATE INDEX login_failures_address ON login_failures (address, at);
    -- The reprint clusters already used in a finalized issue, read once per proposal query.
    CREATE INDEX items_status_cluster ON items (status, cluster_id);
    -- A proposed item's status before the proposal accepted it: taking it out restores it.
    ALTER TABLE issue_items ADD COLUMN prior_status TEXT;
    -- Items an editor took out of a draft: never proposed again as its runner-up.
    CREATE TABLE issue_skipped (
        issue_id INTEGER NOT NULL REFERENCES issues(id),
        item_key TEXT NOT NULL,
        PRIMARY KEY (issue_id, item_key)
    );
    """,
    # 8: the search index re-declared so Datasette finds it on `items` (it recognises only
    # content="items" or content=[items], not content='items'), with a third column for the text of
    # the item's attachments (issue 16). The index is derived data: it is rebuilt from the processed
    # items, so nothing is lost; the vocabulary table (2-character search) is re-created on it.
    """
    DROP TABLE items_fts_vocab;
    DROP TRIGGER items_fts_first;
    DROP TRIGGER items_fts_update;
    DROP TRIGGER items_fts_delete;
    DROP TABLE items_fts;
    ALTER TABLE items ADD COLUMN attachment_text TEXT NOT NULL DEFAULT '';
    CREATE VIRTUAL TABLE items_fts USING fts5(
        title, text, attachment_text, content="items", content_rowid="rowid", tokenize="trigram"
    );
    INSERT INTO items_fts (rowid, title, text, attachment_text)
        SELECT rowid, title, text, attachment_text FROM items WHERE processed_at IS NOT NULL;
    CREATE TRIGGER items_fts_first AFTER UPDATE OF processed_at ON items
    WHEN old.processed_at IS NULL AND new.processed_at IS NOT NULL BEGIN
        INSERT INTO items_fts (rowid, title, text, attachment_text)
        VALUES (new.rowid, new.title, new.text, new.attachment_text);
    END;
    CREATE TRIGGER items_fts_update AFTER UPDATE OF title, text, attachment_text ON items
    WHEN old.processed_at IS NOT NULL BEGIN
        INSERT INTO items_fts (items_fts, rowid, title, text, attachment_text)
        VALUES ('delete', old.rowid, old.title, old.text, old.attachment_text);
        INSERT INTO items_fts (rowid, title, text, attachment_text)
        VALUES (new.rowid, new.title, new.text, new.attachment_text);
    END;
    CREATE TRIGGER items_fts_delete AFTER DELETE ON items WHEN old.processed_at IS NOT NULL BEGIN
        INSERT INTO items_fts (items_fts, rowid, title, text, attachment_text)
        VALUES ('delete', old.rowid, old.title, old.text, old.attachment_text);
    END;
    CREATE VIRTUAL TABLE items_fts_vocab USING fts5vocab(items_fts, row);
    """,
    # 9: attachments kept for each item (issue 16): one row per link, the file itself stored once
    # by content hash under the data folder (several items may share one file).
    """
    CREATE TABLE attachments (
        item_key TEXT NOT NULL,   -- items.key; no REFERENCES: the crawl writes items in batches
        url TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',          -- the link text, else the file name
        type TEXT NOT NULL DEFAULT '',          -- pdf docx xlsx doc wps et ofd zip xls
        size INTEGER,                           -- bytes received (NULL: not downloaded)
        sha256 TEXT,                            -- the kept copy: attachments/<sha[:2]>/<sha>.<type>
        status TEXT NOT NULL,                   -- read | kept | failed | skipped
        reason TEXT NOT NULL DEFAULT '',        -- why not read / not kept, for editors and ops
        text TEXT NOT NULL DEFAULT '',          -- extracted text (items.attachment_text joins all)
        position INTEGER NOT NULL DEFAULT 0,    -- order of the link on the page (downloads finish
                                                -- in any order)
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (item_key, url)
    );
    CREATE INDEX attachments_sha ON attachments (sha256);
    CREATE INDEX attachments_status ON attachments (status);
    """,
    # 10: the containment index next to the LSH bands: one row per long sentence of each processed
    # item (pipeline.fingerprints), so that a copy keeping half of an article finds it whatever
    # their Jaccard. Items processed before it have no rows and are found by their bands only.
    """
    CREATE TABLE sentence_marks (
        mark INTEGER NOT NULL,
        key TEXT NOT NULL,
        PRIMARY KEY (mark, key)
    ) WITHOUT ROWID;
    """,
    # 11: items whose list link automatic detection found (self-healing lists, issue 13) are marked,
    # so the desk and ops can tell them from items the configured selectors found.
    """
    ALTER TABLE items ADD COLUMN found_by TEXT NOT NULL DEFAULT '';  -- 'detection' or ''
    """,
    # 12: the trigram index merges its segments only when asked (ops.process merges a few pages
    # after each item it writes; nightly upkeep optimizes). FTS5's automatic merge ran inside
    # whichever write happened to fill a level, and at 100k items one such commit held the write
    # lock for 100-450 ms while a click waited. FTS5's crisis merge (16 segments on a level)
    # still bounds the segments other writers leave.
    """
    INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 0);
    """,
)
