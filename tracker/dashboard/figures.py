"""What the dashboard counts over every task, kept between requests while nothing it counts
has changed (issue 13).

The dashboard's task figures — each plan's and section's tasks by light and status, the
units leading red tasks, every unit's name and successor — depend on the task, milestone,
plan, section and unit rows, and on the lights' two due-date boundaries of the day
(plans.light_sql: the day, the working calendar, the warning window). At province scale
counting them costs 30–40 ms of every dashboard load; they change a few times a day.

So every commit that writes one of those rows gives a stamp (`dashboard_stamp`, one row)
a new random value, in the same transaction as the write (tracker.kept: the stamp, its
session hooks and what is kept; the liaison's work is kept there too). A page reads the
stamp first (one statement) and takes the figures this process counted under the same
stamp and boundaries, else counts them and keeps them (a few per process, on the app).
Read before counting, the stamp can only be older than the figures kept under it, never
newer: a write committed meanwhile moves it, and the next page counts again. Reports,
alerts and scorecards are not watched: a liaison's submission during the deadline surge
never touches the stamp (the behind-pace figure, and the punctuality of a month not yet
stored final, follow reports: read live). The punctuality the sweep stores is watched too:
kept while every month shown is stored, until the next sweep writes it. A write that
bypasses the session (a raw connection) must call `touch`.
tests/scoring/test_dashboard_figures.py checks the kept figures equal freshly counted ones
after each kind of write.
"""

from tracker.kept import forget, kept, stamp  # noqa: F401 - the dashboard's names for them
