"""People (issue 14): the leader in charge (分管领导) of a plan, section or task, and the
responsible person (责任人) each unit names for a task; "我分管的" and the 挂图作战 chart."""
