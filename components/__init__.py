"""webstack's building blocks: one ComponentResource per concern, each taking typed arguments."""
