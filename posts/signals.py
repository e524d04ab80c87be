"""What posts tells the apps above it (they connect in their ``AppConfig.ready``; posts imports none of them).

All are sent inside the transaction of the change, so a receiver that fails rolls the change back.

- ``post_submitted`` (``actor``, ``post``, ``revision``, ``findings``): a draft went to review.
  approvals (``approvals.workflow``) opens the review.
- ``post_revised`` (``actor``, ``post``, ``revision``, ``findings``, ``reopened``): a submitted post got a
  new revision; ``reopened`` when it was approved and goes back to review. approvals opens a new review or
  moves the open one to the new revision.
- ``post_rescheduled`` (``actor``, ``post``): an approved post got another time. publishing moves its waiting
  deliveries (``publishing.delivery_services.deliveries_reschedule_for_post``).
"""

from django.dispatch import Signal

post_submitted = Signal()
post_revised = Signal()
post_rescheduled = Signal()
