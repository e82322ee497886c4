"""(being written) Assignment, acknowledgement, extensions, close-out, instructions."""


def task_panel(task, user) -> dict:
    """Everything the task page shows and offers about the task's workflow for this user."""
    return {}
