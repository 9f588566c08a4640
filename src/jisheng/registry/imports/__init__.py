"""Importing residents from a file: validated whole, then loaded all-or-nothing.

The parts, in the order a file goes through them:

- ``services``: the entry points (start, run, bad rows); small files run in the
  request, big ones as a task (``registry.tasks``); ``selectors``: an import and its outcome,
  read for its owner; ``views``, ``api``, ``urls``: the pages and endpoints.
- ``files``: the .xlsx/.csv file read row by row, cells parsed into ``PersonData``.
- ``checking``: the check pass, outside any transaction; ``rows`` checks a chunk of rows
  without the database and, while the file is clean, prepares their database values
  (encryption included); the pass then checks them against the file's other rows and the
  registered residents (``lookups``: by blind index, a chunk at a time).
- ``parallel``: the chunks checked by forked processes, and on PostgreSQL a loader
  thread with its own connection that loads the clean ones meanwhile, in the one
  transaction committed only when the whole file is clean.
- ``loading``: the load pass, in ONE transaction: residents a chunk at a time
  (``executemany`` on SQLite, ``COPY`` on PostgreSQL), a registration event each, then
  likely-duplicate flags (``duplicates``). Without the loader thread the checked chunks
  wait in a private spool file next to the upload.
- ``outcome``: what the passes found, and what the import records of it (state,
  counts, audit event, progress bar).
- ``limits``: sizes and limits, read at call time.

A crash or a kill at any point leaves nothing behind.
"""
