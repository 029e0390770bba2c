"""Simulate stage: play whole calls without a network.

``interpret`` is the reference semantics (walks the graph directly, an oracle independent of the
compiler and runtime, with its own ``reading`` of call data and its own ``decisions``), ``platform`` plays the platform's part on emitted JSON, ``simulator`` runs a
scripted call through the compiled steps, ``flowtests`` runs a flow's own tests and measures branch
coverage, and ``impact`` replays recorded calls against a draft.
"""
