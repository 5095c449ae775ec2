"""Human handoff: tickets and transcripts, working hours, the queue and the staff console."""
