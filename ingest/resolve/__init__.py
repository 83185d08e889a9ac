"""Entity resolution: which person records describe the same person.

`profiles` reads person profiles from the ledger; `prepare` and `names` turn them into
comparable columns; `scoring` is the Splink model (DuckDB or Spark); `relations` reads
who is in touch with whom, which a second pass compares; `cluster` joins scored pairs
under constraints; `subjects` keeps subject refs stable; `decisions` holds analyst
judgements; `run` writes a resolution batch; `explain` says why; `records` resolves any
CSV of person records.
"""
