"""Site: the static documentation site built from a workspace.

``pages`` decides what pages exist and what each shows; ``theme`` finds templates and
static files; ``markup`` makes user text safe; ``search`` writes the search index;
``build`` renders everything in memory; ``write`` puts it on disk safely.
"""
