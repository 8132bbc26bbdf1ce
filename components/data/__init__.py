"""The data layer: PostgreSQL, Redis and their backups."""
