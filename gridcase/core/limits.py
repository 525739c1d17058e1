"""How long each text may be: the one home of those numbers.

The same limit is checked where a text enters — the workbench's forms, the API's serializers,
the services, the ledger import — and it is the length of the database column behind it
(`max_length`), so a text that passes one door passes every door and fits where it is stored.
Which characters a text may contain is the sibling rule, in `core/text.py`.

Changing a number that a model uses as `max_length` needs a migration; the others (the texts
kept in unbounded columns) do not.
"""

from __future__ import annotations

from typing import Final

# ---------------------------------------------------------------- a case's content

CASE_NUMBER: Final = 40  # CT-2026-00042, or a ledger's own numbers
TITLE: Final = 200
LOCATION: Final = 300  # also an Open311 report's address
PERSONS: Final = 5000
CAUSE: Final = 5000
COURSE: Final = 10000

# The content fields a draft may carry, as the services check them.
CASE_TEXT: Final = {
    "title": TITLE,
    "location": LOCATION,
    "persons": PERSONS,
    "cause": CAUSE,
    "course": COURSE,
}

# ---------------------------------------------------------------- closing a case

RESULT: Final = 10000
MEDIATOR: Final = 100
AGREEMENT_TERM: Final = 1000  # one term of a mediation agreement
AGREEMENT_TERMS: Final = 50  # how many terms (a count, not a length)

# ---------------------------------------------------------------- parties

PARTY_NAME: Final = 50
PARTY_PHONE: Final = 20  # as stored, after normalising
PHONE_INPUT: Final = 30  # as typed: spaces, dashes and +86 still in it

# ---------------------------------------------------------------- reasons and notes

REASON: Final = 2000  # every reason and note of an action (escalate, return, void, appeal…)
FOLLOW_UP_NOTE: Final = 5000  # what the follow-up visit found
# The stored copy of a reason on the case itself (the full text stays on the timeline).
VOID_REASON: Final = 300
QUALITY_NOTE: Final = 300

# ---------------------------------------------------------------- places and people

PLACE_NAME: Final = 100  # a town, village, grid or unit
TOWN_CODE: Final = 20
PERSON_NAME: Final = 50  # a person's display name (an officer in a ledger too)
PHONE: Final = 20
USERNAME: Final = 150  # Django's own limit for a login name
CALENDAR_NOTE: Final = 200

# ---------------------------------------------------------------- Open311 reports

# A citizen's report is shorter than an officer's case: these are what services/{code} offers.
OPEN311_DESCRIPTION: Final = 4000
OPEN311_PERSONS: Final = 500
OPEN311_CAUSE: Final = 2000

# ---------------------------------------------------------------- everything else

SEARCH: Final = 100  # the workbench's and the API's search box
TOKEN_NAME: Final = 100
# A notification channel: its name, its address (a webhook URL or e-mail addresses), its secret.
CHANNEL_NAME: Final = 100
CHANNEL_TARGET: Final = 1000
CHANNEL_SECRET: Final = 200
# A webhook's signing secret shorter than this is guessable (told on the form, checked by notify).
WEBHOOK_SECRET_MIN: Final = 16
