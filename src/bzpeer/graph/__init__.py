"""The research graph: slices of the catalog around a focus (``slice.py``),
read through ``reads.py``."""
