"""The long lists at province scale (issue 13): /admin/users and /units are paged (100 a
page, totals counted in SQL, a search box, filters kept while paging) and cost the same
statements whatever the number of rows; /admin/service-tokens names its account by
username instead of a menu of every account."""

import re

from sqlalchemy import func, select

from tracker.accounts.models import User
from tracker.api.models import ApiToken
from tracker.extensions import db
from tracker.plans import services
from tracker.units.models import Unit


def _add_users(n, prefix="bulk"):
    db.session.execute(
        User.__table__.insert(),
        [
            {
                "username": f"{prefix}{i:04d}",
                "display_name": f"批量用户{i}",
                "role": "liaison" if i % 2 else "leader",
                "password_hash": "x",
                "active": True,
            }
            for i in range(n)
        ],
    )
    db.session.commit()


def _add_units(n):
    db.session.add_all(
        Unit(name=f"批量单位{i:03d}", code=f"zz{i:03d}", kind="gov_dept", aliases=[])
        for i in range(n)
    )
    db.session.commit()


def test_users_paged_filtered_and_searched(world, client_for):
    _add_users(250)
    client = client_for("admin")
    total = db.session.scalar(select(func.count()).select_from(User))
    html = client.get("/admin/users").get_data(as_text=True)
    assert len(re.findall(r"<code>([^<]+)</code>", html)) == 100
    assert 'data-testid="pager"' in html
    last = -(-total // 100)
    html = client.get(f"/admin/users?page={last}").get_data(as_text=True)
    assert len(re.findall(r"<code>([^<]+)</code>", html)) == total - 100 * (last - 1)
    # the role filter is kept in the pager's links; the last page holds the rest
    liaisons = db.session.scalar(select(func.count()).where(User.role == "liaison"))
    html = client.get("/admin/users?role=liaison").get_data(as_text=True)
    assert "role=liaison" in re.search(r'rel="next"[^>]*|href="[^"]*"[^>]*rel="next"', html)[0]
    html = client.get("/admin/users?role=liaison&page=2").get_data(as_text=True)
    names = re.findall(r"<code>([^<]+)</code>", html)
    assert len(names) == liaisons - 100
    assert all(
        db.session.scalar(select(User.role).where(User.username == n)) == "liaison" for n in names
    )
    # a search by (part of) the username or display name, in SQL
    html = client.get("/admin/users?q=bulk012").get_data(as_text=True)
    found = sorted(re.findall(r"<code>([^<]+)</code>", html))
    assert found == [f"bulk{i:04d}" for i in range(120, 130)]
    html = client.get("/admin/users?q=批量用户7").get_data(as_text=True)
    assert len(re.findall(r"<code>([^<]+)</code>", html)) == 1 + 10  # 批量用户7, 批量用户7x
    # nonsense is a page, never a 500; a page past the end is the last page
    assert client.get("/admin/users?page=abc&role=nobody").status_code == 200
    assert client.get("/admin/users?page=999").status_code == 200
    assert client.get("/admin/users?q=%25_").status_code == 200
    assert "<code>" not in client.get("/admin/users?q=%25_").get_data(as_text=True)


def test_units_paged_and_searched(world, client_for):
    _add_units(150)
    client = client_for("office")
    total = db.session.scalar(select(func.count()).select_from(Unit))
    html = client.get("/units").get_data(as_text=True)
    assert len(re.findall(r'<tr[^>]*data-testid="unit-', html)) == 100
    assert 'data-testid="pager"' in html
    last = -(-total // 100)
    html = client.get(f"/units?page={last}").get_data(as_text=True)
    assert len(re.findall(r'<tr[^>]*data-testid="unit-', html)) == total - 100 * (last - 1)
    html = client.get("/units?q=批量单位1").get_data(as_text=True)
    found = re.findall(r'<tr[^>]*data-testid="unit-([a-z0-9]+)"', html)
    assert found == [f"zz{i:03d}" for i in range(100, 150)]
    # the pager keeps the search
    html = client.get("/units?q=zz").get_data(as_text=True)
    assert "q=zz" in re.search(r'href="([^"]*)"[^>]*rel="next"', html)[1]


def test_unit_directory_page_matches_the_whole_directory(seeded):
    """The paged directory's rows (counts, predecessors) are the whole directory's."""
    _add_units(30)
    whole = services.unit_directory()
    paged = []
    page, pages = 1, 1
    while page <= pages:
        rows, page, pages, total = services.unit_directory_page("", page, size=7)
        paged.extend(rows)
        page += 1
    assert total == len(whole)

    def key(rows):
        return [(u.id, lead, co, [p.id for p in preds]) for u, lead, co, preds in rows]

    assert key(paged) == key(whole)


def test_list_statements_do_not_grow(world, client_for, count_statements):
    admin, office = client_for("admin"), client_for("office")

    def measure():
        counts = {}
        for client, path in [
            (admin, "/admin/users"),
            (admin, "/admin/users?role=liaison&page=2"),
            (admin, "/admin/users?q=bulk"),
            (office, "/units"),
            (office, "/units?page=2"),
            (office, "/units?q=zz"),
            (admin, "/admin/service-tokens"),
        ]:
            with count_statements() as counter:
                assert client.get(path).status_code == 200
            counts[path] = counter.count
        return counts

    _add_users(5)
    _add_units(5)
    small = measure()
    _add_users(300, prefix="bulkmore")
    db.session.add_all(
        Unit(name=f"又一单位{i:03d}", code=f"zzm{i:03d}", kind="gov_dept", aliases=[])
        for i in range(250)
    )
    db.session.commit()
    assert measure() == small
    assert all(n <= 12 for n in small.values()), small


def test_service_token_by_username(world, client_for):
    _add_users(50)
    client = client_for("admin")
    html = client.get("/admin/service-tokens").get_data(as_text=True)
    assert 'name="owner"' in html and 'value="admin1"' in html
    assert "bulk0001" not in html  # no menu of every account
    response = client.post(
        "/admin/service-tokens", data={"name": "大屏", "scope": "read", "owner": " bulk0007 "}
    )
    assert response.status_code == 200
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "大屏"))
    assert token.user_id == db.session.scalar(select(User.id).where(User.username == "bulk0007"))
    # an unknown or disabled account is refused, nothing made
    db.session.execute(
        User.__table__.update().where(User.username == "bulk0008").values(active=False)
    )
    db.session.commit()
    for name in ("nobody", "bulk0008", ""):
        response = client.post(
            "/admin/service-tokens", data={"name": "x" + name, "scope": "read", "owner": name}
        )
        assert response.status_code == 400, name
        assert db.session.scalar(select(ApiToken).where(ApiToken.name == "x" + name)) is None
