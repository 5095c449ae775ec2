"""Sub-commands of ``ippc`` that belong to the assistant core."""
