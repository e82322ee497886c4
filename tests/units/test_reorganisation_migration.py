"""Migration 0015 moves the existing successor links into reorganisation records: one
reorganisation per distinct note (its title up to the colon), one main succession per link;
`unit.successor_id` stays as the main successor (docs/reorganisations.md). Run on SQLite."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from tracker import create_app
from tracker.extensions import db

NOTE = "2019年长治市市级党政机构改革:组建市工业和信息化局,职责划入市工信局。"


def test_successor_links_become_reorganisations(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    url = f"sqlite:///{tmp_path / 'migrate.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "m"})
    with app.app_context():
        upgrade(revision="0014_contest_load")
        units = [
            (1, "市工信局", "gxj", None, None),
            (2, "市经信委", "jxw", 1, NOTE),
            (3, "市农业农村局", "nyncj", None, None),
            (4, "市农委", "nw", 3, "2019年长治市市级党政机构改革：组建市农业农村局。"),
            (5, "市税务局", "shuiwj", None, None),
            (6, "市国税局", "guosj", 5, None),
        ]
        with db.engine.begin() as conn:
            for uid, name, code, successor, note in units:
                conn.execute(
                    text(
                        "INSERT INTO unit (id, name, code, kind, aliases, successor_id,"
                        " successor_note) VALUES (:i, :n, :c, 'gov_dept', '[]', :s, :note)"
                    ),
                    {"i": uid, "n": name, "c": code, "s": successor, "note": note},
                )
        upgrade()
        with db.engine.connect() as conn:
            reforms = dict(conn.execute(text("SELECT id, title FROM reorganisation")).all())
            links = conn.execute(
                text(
                    "SELECT reorganisation_id, unit_id, successor_id, is_main"
                    " FROM unit_succession ORDER BY unit_id"
                )
            ).all()
            kept = conn.execute(text("SELECT successor_id FROM unit WHERE id = 2")).scalar()
        assert sorted(reforms.values()) == [
            "2019年长治市市级党政机构改革",
            "机构改革（迁移前的记录）",
        ]
        assert [(reforms[r], u, s, bool(m)) for r, u, s, m in links] == [
            ("2019年长治市市级党政机构改革", 2, 1, True),
            ("2019年长治市市级党政机构改革", 4, 3, True),
            ("机构改革（迁移前的记录）", 6, 5, True),
        ]
        assert kept == 1
        downgrade(revision="0014_contest_load")
        with db.engine.connect() as conn:
            tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
        assert "reorganisation" not in tables and "unit_succession" not in tables
        db.engine.dispose()
