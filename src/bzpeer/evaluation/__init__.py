"""How good resolution is, measured on public gold data: the gold-set readers,
the evaluations and ``bzpeer evaluate``. Above ``resolve`` and ``ingest``; nothing
below imports it."""
