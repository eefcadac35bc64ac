"""``tocsin watch``: poll the sources, take what is new through ingest, extraction, linking
and assessment for the cases it touches, and send the alerts their rules make
(docs/watch.md)."""
