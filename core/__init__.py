"""Plumbing every area shares: settings, database, paths, clock, errors and the text patterns
(case numbers, phone numbers). It imports no area of the project."""
