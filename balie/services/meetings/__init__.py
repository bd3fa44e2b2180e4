"""Video meetings: the provider interface (``interface``), its providers (``jitsi``, ``teams``)
and the background jobs that make, move and cancel meetings (``handlers``)."""
