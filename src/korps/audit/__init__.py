"""The one append-only audit trail of korps: every state change and every read of personal
data, of every domain, with the authenticated user, time, request and client address."""
