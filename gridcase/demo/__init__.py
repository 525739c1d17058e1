"""The demo town and `gridcase serve`: the top layer, which may use every other one."""
