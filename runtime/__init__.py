"""What ``ippc run`` starts and how: the Rasa server with our REST channel and Rasa patches,
the action server and the staff console as child processes, with the credentials and
endpoints files they read. ``deploy/`` builds the multi-instance stack from the same pieces."""
