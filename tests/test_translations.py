"""The message catalogues: complete in zh_CN, compiled, and used by the language switch."""

import pytest
from babel.messages.catalog import Catalog

from tracker.i18n_tools import check_catalogues, format_errors, untranslated


def test_every_msgid_has_a_zh_cn_translation_and_every_mo_is_current():
    """The same check as `python -m tracker.i18n_tools --check`."""
    problems = check_catalogues()
    assert not problems, (
        "Run `python -m tracker.i18n_tools`, translate in "
        "tracker/translations/zh_Hans_CN/LC_MESSAGES/messages.po, run it again:\n  "
        + "\n  ".join(problems)
    )


def test_untranslated_counts_missing_empty_and_fuzzy_entries():
    template = Catalog()
    for msgid in ("Sign in", "Sign out", "Save", "Edit"):
        template.add(msgid)
    catalog = Catalog(locale="zh_CN")
    catalog.add("Sign in", "登录")
    catalog.add("Sign out", "")
    catalog.add("Save", "保存", flags=["fuzzy"])
    assert untranslated(template, catalog) == [
        "'Sign out'",
        "'Save' [fuzzy: review the guess]",
        "'Edit'",
    ]
    assert untranslated(template, None) == ["'Sign in'", "'Sign out'", "'Save'", "'Edit'"]


@pytest.mark.parametrize(
    ("msgid", "msgstr", "ok"),
    [
        ("Tasks of %(unit)s", "%(unit)s的任务", True),
        ("Tasks of %(unit)s", "%(units)s的任务", False),  # placeholder renamed
        ("Rate: %(rate)d%%", "完成率：%(rate)d%%", True),
        ("Done", "完成率100％", True),  # full-width ％ is plain text
        ("Done", "完成率100%", False),  # Jinja would apply % to it
        ("Done", "完成率100%%", False),  # Python gettext() would show %%
    ],
)
def test_format_errors_catch_broken_placeholders_and_lone_percent_signs(msgid, msgstr, ok):
    catalog = Catalog(locale="zh_CN")
    catalog.add(msgid, msgstr)
    assert (format_errors(catalog) == []) is ok


def test_login_page_is_in_chinese_by_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert "登录" in html
    assert "用户名" in html  # a lazy_gettext form label
    assert "Sign in" not in html


def test_language_switch_to_english_and_back(client):
    response = client.post("/lang", data={"lang": "en", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    html = client.get("/login").get_data(as_text=True)
    assert "Sign in" in html
    assert "Username" in html
    assert "登录" not in html

    client.post("/lang", data={"lang": "zh_CN", "next": "/login"})
    assert "登录" in client.get("/login").get_data(as_text=True)
