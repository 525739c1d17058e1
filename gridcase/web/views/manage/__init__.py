"""The administration pages of a town: its villages, grids, units, people and roles, working
calendar, assessment policy and notification channels (issue 4, item 7).

Every URL names the town (`/manage/<town_id>/…`); only the town's administrators (and
superusers, who switch between towns) may open it; anyone else gets 404. Writes go through
`org.places` and `org.services` (and the assessment's and notifications' services), which
check the scope again.
"""
