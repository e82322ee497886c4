"""Reporting load (减负, issue 14 item 7): how many reports each unit owes per month, which of a
unit's open tasks overlap across plans, and linked tasks (一报多用). docs/reporting-load.md."""
