"""(being written) `flask scheduler run`, `flask alerts run-once`."""


def register_supervision_cli(app) -> None:
    return None
