"""Changing author records as their callers do it: corrections with what
follows them (a removal resolved onto other records, the trust refresh of
every record touched). Above ``resolve`` and ``trust``, which know nothing of
each other; below the claim workflow and the command line that call it."""
