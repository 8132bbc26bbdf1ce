"""The stack configuration model: the keys and their parser (keys.py), what each key allows
(rules.py) and the typed settings handed to components (settings.py).

Imported by the entry point and the offline preview; components receive settings, and the policy
pack never imports it."""
