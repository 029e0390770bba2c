"""Compile stage: a checked :class:`~flowgraph.model.Flow` becomes API Dialplan steps.

``partition`` cuts the graph into steps (one per point that waits for the caller), ``conditions``
prepares switch conditions and ``{{variable}}`` templates, ``compiler`` turns each node into an op
(``ops``: one builder per node type) and pre-encodes the answers, ``emit`` is the only module that knows the wire format, and ``deploy``
writes the deployment sheet (what to create in the Smartflo portal).
"""
