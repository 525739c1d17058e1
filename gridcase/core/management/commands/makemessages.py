"""Django's makemessages, also finding the project's gettext aliases.

Modules that use `_` for something else import `gettext as _t` (and `gettext_lazy as _lazy`,
`gettext_noop as _noop`); xgettext knows only the usual names, so without these keywords their
strings never reach the catalogue and show in Chinese in English mode (issue 14).
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [
        *makemessages.Command.xgettext_options,
        "--keyword=_t",
        "--keyword=_lazy",
        "--keyword=_noop",
    ]
