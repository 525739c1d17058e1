"""Backups that restore: the database, the attachments and a manifest that proves them.

A backup is one folder (or one .tar of that folder) named by its UTC time,
`gridcase-20261201T183000Z`, holding:

- `database.sqlite3` — SQLite, copied through its online backup API in one step: the copy
  reads one consistent snapshot while the app's writers go on (WAL mode);
- or `database.pgdump` — PostgreSQL, `pg_dump --format=custom` inside a REPEATABLE READ
  transaction whose snapshot is exported, so the row counts of the manifest are those of the
  dump exactly;
- `media/…` — the uploaded files (MEDIA_ROOT), copied *after* the database: an attachment's
  file is written before its row commits, so every row in the snapshot finds its file;
- `manifest.json` — created_at, gridcase version, database vendor, rows per table, and the
  SHA-256 of the dump and of every file.

Restore verifies every hash first, refuses a database that holds data unless forced, puts the
files back, then the database, then checks the row counts against the manifest. It works on
the database of the settings (`DATABASES["default"]`) and on MEDIA_ROOT; the app (serve and
worker) should be stopped while it runs.

This package knows tables only by name (it counts them all): it sits in core, below the apps.

The modules: ``create`` (take one), ``restore`` (put one back), ``folder`` (the names, the
manifest, the hashes and the check), ``sqlite`` and ``postgres`` (each database's dump, restore
and row counts), ``retention`` (old ones pruned; the worker's nightly backup).
"""
