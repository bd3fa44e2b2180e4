"""Fakes of external services that run as real HTTP servers on 127.0.0.1 during tests."""
