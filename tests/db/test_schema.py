"""The schema is versioned: a database upgrades in place and keeps its data."""

from __future__ import annotations

from peewee import SqliteDatabase

from db import models, schema


def test_fresh_database_is_at_the_current_version(database):
    assert schema.current_version(database) == schema.CURRENT_VERSION
    assert schema.migrate(database) == []  # running again applies nothing


def test_an_older_database_is_upgraded_in_place_keeping_its_data(tmp_path, monkeypatch):
    url_db = SqliteDatabase(str(tmp_path / "old.sqlite3"))
    with url_db.bind_ctx([models.SchemaVersion, *models.ALL_MODELS]):
        assert schema.migrate(url_db, target=1) == [1]
        models.Customer.create(code="OLD", name="Old customer")

    def add_priority(database):  # a plausible next migration: a column with a default
        database.execute_sql('ALTER TABLE "customer" ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 0')

    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS + [(99, "customer priority", add_priority)])
    monkeypatch.setattr(schema, "CURRENT_VERSION", 99)
    with url_db.bind_ctx([models.SchemaVersion, *models.ALL_MODELS]):
        assert schema.migrate(url_db)[-1] == 99  # with every real migration after v1 before it
        assert schema.current_version(url_db) == 99
        row = url_db.execute_sql('SELECT code, priority FROM "customer"').fetchall()
        assert row == [("OLD", 0)]
        assert schema.migrate(url_db) == []


def test_v4_adds_approval_session_and_pairing_columns_to_an_old_database(tmp_path):
    """A database made before issue 15 (user and device without the new columns) is upgraded in place."""
    old = SqliteDatabase(str(tmp_path / "v1.sqlite3"))
    old.execute_sql('CREATE TABLE "user" (id INTEGER PRIMARY KEY, username VARCHAR(32), name VARCHAR(64), '
                    "role VARCHAR(16), password_hash VARCHAR(256), active INTEGER, lang VARCHAR(8))")
    old.execute_sql('CREATE TABLE "device" (id INTEGER PRIMARY KEY, token_hash VARCHAR(64))')
    old.execute_sql("INSERT INTO \"user\" VALUES (1, 'boss', 'Boss', 'supervisor', 'x', 1, '')")
    with old.bind_ctx([models.SchemaVersion, *models.ALL_MODELS]):
        old.create_tables([models.SchemaVersion])
        models.SchemaVersion.create(version=1)
        assert 4 in schema.migrate(old)
        columns = {c.name for c in old.get_columns("user")}
        assert {"badge", "pin_hash", "session_gen"} <= columns
        assert "address" in {c.name for c in old.get_columns("device")}
        assert old.execute_sql('SELECT username, pin_hash, session_gen FROM "user"').fetchall() == [("boss", "", 0)]
        schema._v4_hardening(old)  # idempotent: a second run changes nothing


def test_v3_adds_print_confirmation_columns_and_turns_old_sent_jobs_into_not_confirmed(tmp_path):
    """A database made before issue 14: printer and print_job without the new columns, "sent" jobs."""
    old = SqliteDatabase(str(tmp_path / "v1.sqlite3"))
    old.execute_sql('CREATE TABLE "printer" (id INTEGER PRIMARY KEY, name VARCHAR(64), uri VARCHAR(256), '
                    "language VARCHAR(8), options TEXT, state VARCHAR(16), last_error VARCHAR(256), "
                    "last_contact DATETIME)")
    old.execute_sql('CREATE TABLE "print_job" (id INTEGER PRIMARY KEY, printer_id INTEGER, document VARCHAR(64), '
                    "payload BLOB, status VARCHAR(12), attempts INTEGER, last_error VARCHAR(256), "
                    "created_at DATETIME, next_try_at DATETIME, sent_at DATETIME)")
    old.execute_sql("INSERT INTO \"printer\" VALUES (1, 'p', 'tcp://127.0.0.1:9', 'zpl', NULL, 'online', '', NULL)")
    old.execute_sql("INSERT INTO \"print_job\" VALUES (1, 1, 'carton C1', x'00', 'sent', 1, '', NULL, NULL, NULL)")
    with old.bind_ctx([models.SchemaVersion, *models.ALL_MODELS]):
        old.create_tables([models.SchemaVersion])
        models.SchemaVersion.create(version=1)
        assert schema.migrate(old, target=3) == [3]
        assert "offline_since" in {c.name for c in old.get_columns("printer")}
        assert {"reprint_of", "reason", "requested_by", "checked_by", "checked_at"} <= {
            c.name for c in old.get_columns("print_job")}
        assert old.execute_sql('SELECT status, reason FROM "print_job"').fetchall() == [("unconfirmed", "")]
        schema._v3_print_confirmation(old)  # idempotent


def test_v8_fills_the_board_counts_of_an_existing_plant_from_its_cards_and_cartons(tmp_path):
    """A database from before issue 18 (version 7, no kept figures) gets each order's figures on upgrade."""
    old = SqliteDatabase(str(tmp_path / "v7.sqlite3"), pragmas={"foreign_keys": 1})
    with old.bind_ctx([models.SchemaVersion, *models.ALL_MODELS]):
        assert schema.migrate(old, target=7)[-1] == 7
        old.drop_tables([models.BoardCount])  # as a version-7 plant has it: no such table
        stations = [models.Station.create(code=code, name_zh=code, name_en=code, kind=kind, sort=i)
                    for i, (code, kind) in enumerate((("whitebody", "process"), ("qc", "qc"), ("packing", "packing"),
                                                      ("warehouse", "warehouse")))]
        route = models.Route.create(name="standard")
        for seq, station in zip((10, 20, 30, 40), stations, strict=True):  # seq numbers with gaps
            models.RouteStep.create(route=route, seq=seq, station=station)
        customer = models.Customer.create(code="OLD", name="Old customer")
        product = models.Product.create(model_no="T-1", name="Table", cartons_per_unit=2, route=route)
        order = models.Order.create(number="SO-OLD", customer=customer, due_date="2026-12-24", status="in_production")
        line = models.OrderLine.create(order=order, line_no=1, product=product, quantity=5)
        packed = models.JobCard.create(code="JC1", order_line=line, route=route, units=3, next_seq=3)
        models.JobCard.create(code="JC2", order_line=line, route=route, units=2, next_seq=1)  # through white-body
        models.JobCard.create(code="JC3", order_line=line, route=route, units=1, next_seq=2, status="void")
        for unit in (1, 2, 3):
            for package in (1, 2):
                stored = unit == 1 or (unit == 2 and package == 1)  # unit 1 is in, unit 2 half in
                models.Carton.create(code=f"C{unit}{package}", job_card=packed, order_line=line, unit_no=unit,
                                     package_no=package, packages=2, status="in_warehouse" if stored else "packed")

        assert 8 in schema.migrate(old)
        rows = {code: (units, cards, cartons) for code, units, cards, cartons in old.execute_sql(
            'SELECT s.code, b.units, b.cards, b.cartons FROM board_count b JOIN station s ON s.id = b.station_id '
            'WHERE b.order_id = ?', (order.id,)).fetchall()}
        # white-body: both live cards (5); QC and packing: the packed card (3); warehouse-in: unit 1 whole (1);
        # 6 cartons packed, 3 of them in; the void card counts nowhere
        assert rows == {"whitebody": (5, 2, 0), "qc": (3, 2, 0), "packing": (3, 2, 6), "warehouse": (1, 2, 3)}
        assert schema.migrate(old) == []
        schema._v8_board_counts(old)  # idempotent: a second run writes the same figures
        assert old.execute_sql("SELECT COUNT(*) FROM board_count").fetchone() == (4,)


def test_the_server_upgrades_the_database_once_before_its_workers_boot(tmp_path):
    """gunicorn.conf.py runs `kiosk init-db` in the master before forking: the workers (told here not to
    migrate at all) find the schema current and the pay ledger filled, and no long fill runs inside a
    worker's boot, where gunicorn's timeout would kill it."""
    import sqlite3

    from tests.live import LiveServer

    path = tmp_path / "fresh.sqlite3"
    server = LiveServer(f"sqlite:///{path}", tmp_path / "instance", workers=2,
                        env={"KIOSK_INIT_DB": "1", "KIOSK_AUTO_MIGRATE": "false"}).start()
    try:
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == schema.CURRENT_VERSION
            assert conn.execute("SELECT COUNT(*) FROM pay_ledger_fill").fetchone()[0] == 1
    finally:
        server.stop()
