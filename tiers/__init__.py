"""Each tier assembles the components into one platform; `__main__.py` picks the stack's tier."""
