"""Digitale Balie: book a video call with a city service."""
