"""Social network adapters: one module per network, one registry (see base.py)."""
