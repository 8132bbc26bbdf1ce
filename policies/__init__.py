"""webstack's policy pack: the policies as importable modules, one per concern.

`policies.pack.ALL_POLICIES` lists them; `policies/__main__.py` serves them to the Pulumi CLI and
`policies.offline` runs them over a plan (`python -m preview <stack> --policies` makes one and checks it).
"""
