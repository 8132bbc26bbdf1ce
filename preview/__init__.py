"""Offline preview: runs the real program under Pulumi's mocks and records what it registers."""
