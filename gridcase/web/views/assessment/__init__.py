"""The assessment pages: the governance office runs a month or a quarter for its town, sees
every officer's figures and every case's status and reason, decides appeals, finalises and
downloads the payroll; the leader approves or sends the quarter back; each officer sees their
own statement and may appeal a case before the quarter is finalised.

Views are thin: the figures come from ``assessment.services.assess_period`` (a finalised
quarter's from its snapshot), every write is a service of ``assessment.quarter``,
``assessment.appeals`` or ``assessment.adjustments`` that checks the role again. Scope: the
town-wide readers (governance office, leader) see their town's pages; an officer sees only
their own statement; anything else is 404. A reader whose role lacks an action gets 403 with
the reason (the page does not offer the button). Writes are POST-redirect-GET with the
service's Chinese message.

The pages, one module each: ``overview`` (the picker and the town's period), ``statement``
(an officer's), ``appeals``, ``quarter`` (finalise, approve, send back, adjust) and
``downloads`` (payroll workbook, JSON); ``common`` holds what they share, ``forms`` their forms.
"""
