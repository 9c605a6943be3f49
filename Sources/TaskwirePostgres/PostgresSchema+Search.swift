import TaskwireStore

/// The full-text index of tasks (schema version 5): one `tsvector` per task in `task_search`, under a GIN index,
/// kept current by triggers on tasks and comments, so that it changes in the transaction that changes them.
///
/// Documents are built with the `simple` configuration (no stemming, no stop words) from text whose punctuation was
/// turned into spaces first, so that words split as in SQLite's `unicode61` (the default parser would otherwise
/// keep `a@b.com` or `v1.2` whole). Fields are weighted (title A, labels B, description C, comments D) and kept
/// apart by a lexeme no query can contain, so that a phrase never runs from one field into the next.
extension PostgresSchema {
    static let version5 = [
        """
        CREATE TABLE task_search (
            task_id TEXT COLLATE "C" PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
            project_id TEXT COLLATE "C" NOT NULL,
            document tsvector NOT NULL
        )
        """,
        "CREATE INDEX task_search_document ON task_search USING gin (document)",
        """
        CREATE FUNCTION taskwire_search_words(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT regexp_replace($1, '\(separators)', ' ', 'g') $$
        """,
        """
        CREATE FUNCTION taskwire_search_refresh(task TEXT) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO task_search (task_id, project_id, document)
            SELECT t.id, t.project_id,
                setweight(to_tsvector('simple', taskwire_search_words(t.title)), 'A') || '|:1'::tsvector
                || setweight(to_tsvector('simple', taskwire_search_words(
                    (SELECT coalesce(string_agg(value, ' '), '') FROM json_array_elements_text(t.labels::json))
                )), 'B') || '|:1'::tsvector
                || setweight(to_tsvector('simple', taskwire_search_words(t.description)), 'C') || '|:1'::tsvector
                || setweight(to_tsvector('simple', taskwire_search_words(\(comments))), 'D')
            FROM tasks t WHERE t.id = task
            ON CONFLICT (task_id) DO UPDATE SET document = excluded.document;
        END
        $$
        """,
        """
        CREATE FUNCTION taskwire_search_task_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM taskwire_search_refresh(NEW.id);
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER task_search_task AFTER INSERT OR UPDATE OF title, description, labels ON tasks
        FOR EACH ROW EXECUTE FUNCTION taskwire_search_task_changed()
        """,
        // A task's deletion takes its comments, and its document, with it: refreshing then finds no task.
        """
        CREATE FUNCTION taskwire_search_comment_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                PERFORM taskwire_search_refresh(OLD.task_id);
            ELSE
                PERFORM taskwire_search_refresh(NEW.task_id);
            END IF;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER task_search_comment AFTER INSERT OR UPDATE OF body OR DELETE ON comments
        FOR EACH ROW EXECUTE FUNCTION taskwire_search_comment_changed()
        """,
        "SELECT taskwire_search_refresh(id) FROM tasks",
    ]

    /// The indexed text of a task's comments, oldest first.
    private static let comments = """
        (SELECT left(coalesce(string_agg(c.body, ' ' ORDER BY c.created_at, c.id), ''), \(SearchIndex.commentCharacters))
        FROM comments c WHERE c.task_id = t.id)
        """

    /// What separates words besides white space (a regular expression class): ASCII punctuation and controls, and
    /// the common punctuation and symbol blocks beyond ASCII (which PostgreSQL's parser would otherwise take for
    /// letters under the C locale).
    private static let separators =
        #"[\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x9f\u00a0-\u00a9\u00ab-\u00b1\u00b4\u00b6-\u00b8\u00bb\u00bf\u00d7\u00f7\u2000-\u206f\u20a0-\u20cf\u2190-\u23ff\u2500-\u2775\u2794-\u2bff\u3000-\u3003\u3008-\u3020\u3030\ufe10-\ufe19\ufe30-\ufe4f\ufeff\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\U0001f000-\U0001faff]"#
}
