"""safe_next: only same-site paths are followed after a step."""

import pytest

from tracker.common.http import safe_next


@pytest.mark.parametrize(
    ("target", "followed"),
    [
        ("/", "/"),
        ("/reports", "/reports"),
        ("/tasks/6#reports", "/tasks/6#reports"),
        ("/review?state=submitted&unit=3", "/review?state=submitted&unit=3"),
        ("/reports/%E6%9C%88", "/reports/%E6%9C%88"),
        (None, None),
        ("", None),
        ("reports", None),  # relative: not from this site's root
        ("//evil.example", None),
        ("//evil.example/reports", None),
        ("/\\evil.example", None),
        ("/\\/evil.example", None),
        ("\\\\evil.example", None),
        ("/\t/evil.example", None),
        ("/\n/evil.example", None),
        ("/\r\n/evil.example", None),
        ("/ /evil.example", None),
        ("/reports\x00", None),
        ("/reports\x7f", None),
        ("https://evil.example", None),
        ("http://localhost/reports", None),
        ("javascript:alert(1)", None),
        ("/javascript:alert(1)", "/javascript:alert(1)"),  # a path on this site: harmless
        ("///evil.example", None),
    ],
)
def test_safe_next(target, followed):
    assert safe_next(target) == followed
