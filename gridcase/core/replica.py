"""Read-only pages from a streaming replica (issue 15), when `DATABASE_REPLICA_URL` is set.

django-multidb-router does the routing and the pinning cookie; this module narrows where the
replica may answer, because a replica is seconds behind and most of gridcase must not be:

- only a workbench page read with GET or HEAD (lists, dashboards, exports, the assessment),
  never the API (a device that has just sent a case reads it back at once, with no cookie),
  the worker or a command (they read to decide what to write);
- never once the request has written (a page that marks its inbox items read, say), nor
  inside a transaction on the primary (what is read there decides what is written);
- never the sign-in's own rows (sessions, people, tokens, lock-outs): a person who has just
  signed in or out must be recognised at once, and these are single-row reads;
- not for a few seconds after this browser wrote: the middleware sets multidb's cookie after
  every request that wrote (a POST, or a GET that wrote) and pins the requests that carry it
  (`MULTIDB_PINNING_SECONDS`, `GRIDCASE_REPLICA_PIN_SECONDS`), so a person sees their own
  change on the next page.

Without a replica nothing of this is installed (settings.py), and a town on SQLite is as
before.
"""

from __future__ import annotations

import threading

import multidb
from django.db import DEFAULT_DB_ALIAS, connections
from multidb.middleware import READ_ONLY_METHODS, PinningRouterMiddleware
from multidb.pinning import pin_this_thread, this_thread_is_pinned

# The sign-in's rows: always from the primary (see the module's docstring).
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "api", "auth"})
PRIMARY_ONLY_MODELS = frozenset({("org", "user")})

# Paths whose GETs never read from the replica: the API (and Open311, which lives under it)
# and the sign-in pages.
PRIMARY_PATHS = ("/api/", "/accounts/", "/open311/")

_request = threading.local()


def replica_allowed() -> bool:
    """Whether this thread is serving a page that may read from the replica now."""
    return getattr(_request, "page", False) and not getattr(_request, "wrote", False)


def _primary_only(model) -> bool:
    meta = model._meta
    return meta.app_label in PRIMARY_ONLY_APPS or (meta.app_label, meta.model_name) in (
        PRIMARY_ONLY_MODELS
    )


class PageReplicaRouter(multidb.PinningReplicaRouter):
    """multidb's pinning router, answering from the replica only where it is safe."""

    def db_for_read(self, model, **hints):
        if (
            not replica_allowed()
            or this_thread_is_pinned()
            or _primary_only(model)
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return multidb.get_replica()

    def db_for_write(self, model, **hints):
        # A request that writes reads its own writes from then on, and pins the browser.
        _request.wrote = True
        pin_this_thread()
        return DEFAULT_DB_ALIAS


class ReplicaMiddleware(PinningRouterMiddleware):
    """Marks a workbench page read (the router's condition) and sets the pinning cookie after
    any request that wrote, whatever its method."""

    def process_request(self, request):
        super().process_request(request)
        _request.wrote = False
        _request.page = request.method in READ_ONLY_METHODS and not request.path.startswith(
            PRIMARY_PATHS
        )

    def process_response(self, request, response):
        if getattr(_request, "wrote", False):
            multidb.pinning.mark_as_write(response)
        _request.page = False
        _request.wrote = False
        return super().process_response(request, response)
