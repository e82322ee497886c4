"""(being written) Progress reports: the liaison's month, saving, submitting, review."""


def task_reports(task, user) -> list:
    """The reports on a task the user may read, newest period first."""
    return []
