"""The citizen portal: online aangifte and melding, the reporter's own dossier, routing to
the teams and their work queues (issue 16)."""
