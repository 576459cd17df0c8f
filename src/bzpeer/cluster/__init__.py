"""The batch stages on a Dask cluster: ``bzpeer import ... --cluster ADDRESS``,
``bzpeer resolve --cluster ADDRESS`` and ``bzpeer enrich --cluster ADDRESS``.

Dask distributed (``pip install -e '.[cluster]'``), not Spark: the stages are
Python functions over Python objects (a chunk of a source file, a name block
of ``MentionRecord``), and Dask runs those functions as they are, pickled
with their arguments, with no JVM, no DataFrame schema and no second
implementation to keep identical. A scheduler and its workers start with
``dask scheduler`` and ``dask worker ADDRESS`` on each machine, each with
this project installed (``bzpeer.cluster`` sets Django up in every worker).

What runs on the cluster is what costs CPU and needs no database:

- parsing: this process reads and splits the input (``parsers.all_chunks``:
  the cheap part, and what the checkpoint counts), sends windows of chunks
  out, and takes the parsed windows back in input order, a few in flight per
  worker thread; each is ``parsers.parse_chunk``, the function the parser
  processes of a single machine call;
- clustering: resolution loads a group of name blocks here, scatters shares
  of about equal size (``clustering.shares_of``) to the workers, which return
  each block's clusters as positions (``clustering.cluster_positions``, the
  function a single machine's forks call), and writes the assignments here;
- topic placement: enrichment trains the topic model here, scatters it once,
  sends batches of works without a stated topic to ``assign.placements``
  (the function a single machine calls) and writes the topics here.

The writes stay in this one process, in the same order, so the catalog a
cluster builds is the one a single machine builds (``tests/cluster``).
"""
