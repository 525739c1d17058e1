"""What org asks of the layers above it, which it may not import (cases, notify).

`counting_uses` is sent before a village, grid or unit is deleted, with `row`. Each receiver
returns its app's uses of that row as [(label, count)], e.g. [("事件 ", 3)]; the refusal lists
them after org's own (grids, stations, roles), in the order the apps are installed.
"""

from django.dispatch import Signal

counting_uses = Signal()
