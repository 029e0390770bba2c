"""Pictures stage: Graphviz drawings of flows for review.

``drawing`` holds the shared vocabulary (node styles, labels, running ``dot``), ``render`` draws
one flow (steps as clusters, diagnostics, a traffic overlay), ``diff`` compares two versions and
draws the change, and ``traffic`` counts calls per branch from the call log (``arms``: how each
split arm's calls ended; ``windows``: trailing time windows such as ``7d``).
"""
