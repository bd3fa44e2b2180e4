"""Protection of the public booking paths against abuse: limits, proof-of-work, API keys, spikes.

Pure domain code (no Reflex): the wizard's state and the HTTP API both call ``gate``.
"""
