"""Fixtures of the importer tests; the per-document corpus scores in the terminal summary."""

import pytest

SCORES = pytest.StashKey[dict]()


def pytest_configure(config):
    config.stash[SCORES] = {}


@pytest.fixture
def corpus_scores(request):
    """A dict the corpus test fills: name -> (right, total, [misses])."""
    return request.config.stash[SCORES]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    scores = config.stash.get(SCORES, {})
    if not scores:
        return
    terminalreporter.section("importer corpus scores")
    right = total = 0
    for name, (r, t, misses) in sorted(scores.items()):
        right, total = right + r, total + t
        terminalreporter.write_line(f"{name:28s} {r:3d}/{t:<3d} {r / t:6.1%}")
        for miss in misses:
            terminalreporter.write_line(f"    miss: {miss}")
    terminalreporter.write_line(
        f"{'all documents':28s} {right:3d}/{total:<3d} {right / total:6.1%}"
    )
