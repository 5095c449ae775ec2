"""Benchmarks: scripts that print (and report) speed figures; not part of ``make test``."""
