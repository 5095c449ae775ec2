"""Production deployment on one or more machines: nginx in front of several Rasa servers and
action server workers, PostgreSQL for trackers, cases and handoff, Redis for conversation locks.

``python -m deploy`` starts the whole stack on this machine (see docs/deployment.md).
"""
