"""Sign-in rules (accounts.rules) and the zip-bomb rule (evidence.archives), as tables."""

from datetime import UTC, datetime, timedelta

import pytest

from tracker.accounts import rules
from tracker.reports.evidence import archives

MiB = 1 << 20


@pytest.mark.parametrize(
    ("password", "username", "problems"),
    [
        ("12345678", "zhang", [rules.TOO_GUESSABLE]),
        ("password", "zhang", [rules.TOO_GUESSABLE]),
        ("        ", "zhang", [rules.BLANK]),
        ("", "zhang", [rules.BLANK]),
        ("Passw0rd!", "zhang", [rules.TOO_GUESSABLE]),  # l33t of a common password
        ("qwertyuiop", "zhang", [rules.TOO_GUESSABLE]),  # keyboard walk
        ("aaaaaaaaaaaa", "zhang", [rules.TOO_GUESSABLE]),  # repeats
        ("demo12345", "zhang", [rules.TOO_GUESSABLE]),
        ("short1!", "zhang", [rules.TOO_SHORT]),
        ("x" * 129, "zhang", [rules.TOO_LONG]),
        ("liaison1", "liaison1", [rules.CONTAINS_USERNAME]),  # the user name itself
        ("LIAISON1-river-lamp", "liaison1", [rules.CONTAINS_USERNAME]),
        ("zhangwei19900101", "zhangwei", [rules.CONTAINS_USERNAME]),
        ("secret-pass-1", "office1", []),  # the test fixtures' password
        ("river-lantern-quietly", "zhang", []),
        ("长沙市发改委2026年督查", "fgw1", []),
        ("li-river-lantern", "li", []),  # a two-letter name is not looked for
    ],
)
def test_password_problems(password, username, problems):
    assert rules.password_problems(password, username) == problems


def test_password_like_the_display_name_is_too_guessable():
    assert rules.password_problems("zhangsanfeng", "u1", ("zhangsanfeng",)) == [rules.TOO_GUESSABLE]


T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
IDLE, MAX = timedelta(minutes=30), timedelta(hours=12)


@pytest.mark.parametrize(
    ("now", "signed_in", "last_seen", "expected"),
    [
        (T0 + timedelta(minutes=29), T0, T0, None),
        (T0 + timedelta(minutes=30), T0, T0, rules.IDLE),
        (T0 + timedelta(hours=11), T0, T0 + timedelta(hours=10, minutes=45), None),
        (T0 + timedelta(hours=12), T0, T0 + timedelta(hours=11, minutes=59), rules.TOO_OLD),
        (T0, None, T0, rules.TOO_OLD),  # a session from before the rule
        (T0, T0, None, rules.TOO_OLD),
    ],
)
def test_session_expiry(now, signed_in, last_seen, expected):
    assert rules.session_expiry(now, signed_in, last_seen, idle=IDLE, max_age=MAX) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 per 15 minutes", (5, 900)),
        ("20 per 15 minutes", (20, 900)),
        ("30 per minute", (30, 60)),
        ("100 per day", (100, 86400)),
        ("3 per 2 hours", (3, 7200)),
    ],
)
def test_parse_limit(text, expected):
    assert rules.parse_limit(text) == expected


@pytest.mark.parametrize("text", ["five per minute", "5 minutes", "5 per 3 fortnights", ""])
def test_parse_limit_refuses_nonsense(text):
    with pytest.raises((ValueError, KeyError)):
        rules.parse_limit(text)


@pytest.mark.parametrize(
    ("sizes", "archive_size", "expected"),
    [
        ([2 * 1024 * MiB], 2 * MiB, archives.TOO_LARGE_UNPACKED),  # 2 MB -> 2 GiB
        ([150 * MiB, 60 * MiB], 30 * MiB, archives.TOO_LARGE_UNPACKED),  # > 200 MiB in all
        ([150 * MiB], 1 * MiB, archives.TOO_COMPRESSED),  # 150 : 1
        ([99 * MiB], 1 * MiB, None),  # 99 : 1
        ([900 * 1024], 1024, None),  # tiny: ratio ignored under 1 MiB
        ([30 * MiB], 2 * MiB, None),  # a large real workbook
        ([0] * 10_001, 100_000, archives.TOO_MANY_MEMBERS),
        ([], 22, None),
    ],
)
def test_unpacked_problem(sizes, archive_size, expected):
    assert archives.unpacked_problem(sizes, archive_size, 200 * MiB, 100) == expected
