-- forge knowledge-base full-text index: SQLite FTS5 (https://sqlite.org/fts5.html), external-content table over
-- forge_documents keyed on its INTEGER PRIMARY KEY `seq`, ranked with bm25(). The porter stemmer folds
-- "enforcing"/"enforced" onto "enforce". Triggers keep the index in step with every insert/update/delete
-- (the pattern from fts5.html section 4.4.3, "External Content Tables").
CREATE VIRTUAL TABLE `forge_documents_fts` USING fts5(
  title, summary, body, tags,
  content='forge_documents', content_rowid='seq',
  tokenize='porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `forge_documents_ai` AFTER INSERT ON `forge_documents` BEGIN
  INSERT INTO forge_documents_fts(rowid, title, summary, body, tags) VALUES (new.seq, new.title, new.summary, new.body, new.tags);
END;
--> statement-breakpoint
CREATE TRIGGER `forge_documents_ad` AFTER DELETE ON `forge_documents` BEGIN
  INSERT INTO forge_documents_fts(forge_documents_fts, rowid, title, summary, body, tags) VALUES ('delete', old.seq, old.title, old.summary, old.body, old.tags);
END;
--> statement-breakpoint
CREATE TRIGGER `forge_documents_au` AFTER UPDATE ON `forge_documents` BEGIN
  INSERT INTO forge_documents_fts(forge_documents_fts, rowid, title, summary, body, tags) VALUES ('delete', old.seq, old.title, old.summary, old.body, old.tags);
  INSERT INTO forge_documents_fts(rowid, title, summary, body, tags) VALUES (new.seq, new.title, new.summary, new.body, new.tags);
END;
