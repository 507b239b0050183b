"""Identity: users, sessions, roles on the organisation tree, OpenID Connect login."""
