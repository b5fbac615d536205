"""Learning and evaluating the routines of many spaces at once, on Ray.

- `sources`: which spaces there are (recorder databases: SQLite files, PostgreSQL URLs).
- `export`: their events, by the hub's own observation rule, to Parquet shards sorted by
  space (one row group per space), with an index of spaces, so no later stage shuffles.
- `fitting`: one space's nightly work with the hub's own model code (fit, evaluate on its
  held-out last days, serve it pooled-then-fine-tuned while its history is short, write a
  checksummed artefact), the same in a Ray worker and in a plain loop.
- `pooled`: the pooled model over many spaces, for spaces with little history.
- `train`: the "many models" pattern on Ray tasks (retried when a worker dies, a manifest of
  done spaces so a run resumes); `report`: the fleet's figures and plots."""
