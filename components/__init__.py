"""webstack's building blocks: one ComponentResource per concern, each taking typed arguments,
grouped by layer: network/, edge/, app/, data/, observability/. `iam.py` holds the IAM helpers
every layer shares."""
