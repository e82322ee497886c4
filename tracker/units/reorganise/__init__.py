"""Reorganisations (机构改革) recorded by the office, successors confirmed, and the split wizard
that routes an old unit's open tasks to its successors through the reassignment service
(tracker.plans.changes.reassign). Above plans in the layers for that reason; the pure rules
stay in tracker.units.rules."""
