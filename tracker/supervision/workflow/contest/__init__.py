"""Contesting an assignment (退回交办, issue 14): the lead unit returns a task it believes is
not its duty; the office reassigns it (改派) or insists (坚持交办). docs/workflow.md."""
