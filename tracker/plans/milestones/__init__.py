"""Milestones (节点) of a task and pace (序时进度): issue 14, docs/milestones.md."""
