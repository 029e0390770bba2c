"""Runtime stage: answer one platform request of a live call, fast and never in silence.

``callvars`` reads a request's call data leniently, ``lookups`` answers table and HTTP lookups,
``engine`` walks one compiled step (:class:`~flowgraph.runtime.engine.Runtime`), ``context``
keeps each call's context between requests (:func:`~flowgraph.runtime.context.answer_in_context`),
``deadline`` is the one answer deadline every await runs under, ``tables`` holds the server's
tables (packed rows, one view per request), ``calendars`` judges holiday dates and ``split`` picks
a caller's arm.
"""
