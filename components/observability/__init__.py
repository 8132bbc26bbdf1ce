"""Observability: the logs key and bucket, alarm topics, alarms, dashboard, deployment history."""
