"""The grant world's own values, free of the web and the database: statuses and roles, and
the audit chain's hashing."""
