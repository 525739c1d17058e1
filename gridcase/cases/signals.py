"""`case_event` is sent inside the action's transaction, after its timeline row is written.

Receivers (the notification outbox) write their rows in that same transaction, so a
notification exists exactly when its action does.
"""

from django.dispatch import Signal

# kwargs: case, entry (TimelineEntry), action (str), by (User | None), data (dict)
case_event = Signal()
