"""The running totals never drift from the live rows: a property test drives random sequences
of the operations that move figures and compares every total with the live rows after each
step, to the penny; racing threads do the same on a database that commits; `flask totals check`
and `flask totals rebuild` find and mend a difference, on the demo data and on the generator's
`small` data."""

import random
import threading

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text, update

from bench.data.cli import bench_data_command
from tests.conftest import build_app, migrate_and_seed
from tests.integration import totals_operations
from tracker.extensions import db
from tracker.models import Allocation
from tracker.models.totals import TotalAllocation, TotalMoney
from tracker.services.errors import NotAllowed, RuleBroken
from tracker.totals import tracking
from tracker.totals.figures import EVERY_REGION

REFUSED = (RuleBroken, NotAllowed)
steps = st.lists(
    st.tuples(
        st.sampled_from(sorted(totals_operations.OPERATIONS)),
        st.integers(0, 10_000),
        st.integers(0, 5_000),
    ),
    min_size=1,
    max_size=12,
)


IN_DRAFT = select(func.sum(TotalAllocation.amount_pence)).where(
    TotalAllocation.status == "draft", TotalAllocation.region == EVERY_REGION
)


def differences(session) -> list[str]:
    return [str(d) for d in tracking.check(session)]


def test_the_demo_datas_totals_agree_with_its_rows(transaction):
    assert differences(transaction) == []


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_totals_equal_the_live_sums_after_every_operation(transaction, steps):
    example = transaction.begin_nested()
    try:
        for name, n, amount in steps:
            step = transaction.begin_nested()
            try:
                totals_operations.OPERATIONS[name](n, amount)
            except REFUSED:
                step.rollback()
            else:
                step.commit()
            assert differences(transaction) == [], f"after {name}({n}, {amount})"
    finally:
        example.rollback()


def test_an_imported_file_is_counted_as_drafts_at_once(transaction):
    """The import writes in bulk, past the session's flush: it tells the totals itself."""
    before = transaction.scalar(IN_DRAFT) or 0
    totals_operations.import_file(2, 500)  # three new drafts: £500.02, £501.02 and £502.02
    assert (transaction.scalar(IN_DRAFT) or 0) == before + 50002 + 50102 + 50202
    totals_operations.import_file(1, 500)  # and a change to an existing draft, to £507.00
    assert differences(transaction) == []
    assert differences(transaction) == []


def test_a_transactions_changes_reach_the_totals_once_as_it_commits(transaction):
    """Written at commit, in one order, so racing writers never deadlock on the totals rows;
    the Core read below does not ask for them to be written first, as a query does."""
    before = transaction.scalar(IN_DRAFT) or 0
    totals_operations.allocate(3, 400)  # a draft of £400.03
    assert (transaction.connection().scalar(IN_DRAFT) or 0) == before
    transaction.commit()
    assert (transaction.connection().scalar(IN_DRAFT) or 0) == before + 40003


def test_a_transaction_reads_its_own_changes_in_the_totals(transaction):
    before = transaction.scalar(IN_DRAFT) or 0
    totals_operations.allocate(3, 400)
    assert (transaction.scalar(IN_DRAFT) or 0) == before + 40003
    totals_operations.allocate(4, 100)  # a draft of £100.04, after the totals were read
    transaction.commit()
    assert (transaction.scalar(IN_DRAFT) or 0) == before + 40003 + 10004
    assert differences(transaction) == []


def test_a_savepoint_rolled_back_takes_its_changes_with_it(transaction):
    before = transaction.scalar(IN_DRAFT) or 0
    totals_operations.allocate(4, 100)
    savepoint = transaction.begin_nested()
    totals_operations.allocate(3, 400)
    savepoint.rollback()
    transaction.commit()
    assert (transaction.scalar(IN_DRAFT) or 0) == before + 10004
    assert differences(transaction) == []


def test_outer_changes_read_inside_a_savepoint_outlive_its_rollback(transaction):
    """Reading inside the savepoint writes the outer transaction's changes there; rolling the
    savepoint back undoes that write, so the changes must be written again at commit."""
    before = transaction.scalar(IN_DRAFT) or 0
    totals_operations.allocate(3, 400)
    savepoint = transaction.begin_nested()
    totals_operations.allocate(4, 100)
    assert (transaction.scalar(IN_DRAFT) or 0) == before + 40003 + 10004
    savepoint.rollback()
    assert (transaction.scalar(IN_DRAFT) or 0) == before + 40003
    transaction.commit()
    assert (transaction.scalar(IN_DRAFT) or 0) == before + 40003
    assert differences(transaction) == []


def test_a_released_savepoints_changes_are_its_parents(transaction):
    before = transaction.scalar(IN_DRAFT) or 0
    outer = transaction.begin_nested()
    inner = transaction.begin_nested()
    totals_operations.allocate(3, 400)
    inner.commit()
    outer.rollback()  # the released savepoint's changes went with its parent
    totals_operations.allocate(4, 100)
    transaction.commit()
    assert (transaction.scalar(IN_DRAFT) or 0) == before + 10004
    assert differences(transaction) == []


def test_an_allocation_changed_in_several_flushes_is_counted_at_its_last_figure(transaction):
    """Flushed again and again in one transaction, with a savepoint rolled back and a write
    past the session between the flushes: the totals end at the allocation's last figure."""
    before = transaction.scalar(IN_DRAFT) or 0
    totals_operations.allocate(3, 400)  # a draft of £400.03
    allocation = transaction.scalars(
        select(Allocation).where(Allocation.title == "Totals proof 3")
    ).one()
    allocation.amount_pence = 500_00
    transaction.flush()
    savepoint = transaction.begin_nested()
    allocation.amount_pence = 600_00
    transaction.flush()
    savepoint.rollback()  # back to £500: a flush from £600 would count £100 too little
    allocation.amount_pence = 700_00
    transaction.flush()
    with tracking.moving([allocation.id]):  # £800, written past the session
        transaction.connection().execute(
            update(Allocation.__table__)
            .where(Allocation.__table__.c.id == allocation.id)
            .values(amount_pence=800_00)
        )
    allocation.amount_pence = 900_00  # the session still holds £700: £800 must be read again
    transaction.flush()
    transaction.commit()
    assert (transaction.scalar(IN_DRAFT) or 0) == before + 900_00
    assert differences(transaction) == []


def test_a_changed_total_is_found_named_and_mended(app, make_database):
    fresh = build_app(make_database())
    migrate_and_seed(fresh)
    runner = fresh.test_cli_runner()
    assert runner.invoke(args=["totals", "check"]).exit_code == 0
    with fresh.app_context():
        stream_id, region, year = db.session.execute(
            select(TotalMoney.stream_id, TotalMoney.region, TotalMoney.financial_year)
        ).first()
        db.session.execute(
            update(TotalMoney)
            .where(
                TotalMoney.stream_id == stream_id,
                TotalMoney.region == region,
                TotalMoney.financial_year == year,
            )
            .values(reported_pence=TotalMoney.reported_pence + 1)
        )
        db.session.commit()
        db.engine.dispose()
    checked = runner.invoke(args=["totals", "check"])
    assert checked.exit_code == 1
    assert "total_money" in checked.output
    assert f"financial_year={year}" in checked.output
    assert "reported_pence" in checked.output
    rebuilt = runner.invoke(args=["totals", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert runner.invoke(args=["totals", "check"]).exit_code == 0
    with fresh.app_context():
        db.engine.dispose()


THREADS = 8
ROUNDS = 6


def test_racing_writers_never_make_the_totals_drift(make_database):
    """Threads, each with its own connection, do random operations at once and commit; on
    PostgreSQL they truly interleave (SQLite queues its writers)."""
    app = build_app(
        make_database(),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": THREADS + 2},
    )
    migrate_and_seed(app)
    names = sorted(totals_operations.OPERATIONS)
    barrier = threading.Barrier(THREADS, timeout=120)
    failures: list[BaseException] = []

    def work(seed: int) -> None:
        chooser = random.Random(seed)
        with app.app_context():
            try:
                barrier.wait()
                for _ in range(ROUNDS):
                    name = chooser.choice(names)
                    try:
                        totals_operations.OPERATIONS[name](
                            chooser.randrange(10_000), chooser.randrange(5_000)
                        )
                        db.session.commit()
                    except REFUSED:
                        db.session.rollback()
                    except Exception as error:  # a lost race the service reports  # noqa: BLE001
                        db.session.rollback()
                        if "deadlock" in str(error).lower():
                            failures.append(error)
            except BaseException as error:  # noqa: BLE001 - reported below
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert not failures, failures
    with app.app_context():
        assert [str(d) for d in tracking.check(db.session)] == []
        db.session.rollback()
        db.engine.dispose()


def test_flask_totals_check_passes_on_the_generators_small_data(make_database):
    app = build_app(make_database())
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.session.execute(text("SELECT 1"))
        db.session.commit()
    runner = app.test_cli_runner()
    made = runner.invoke(bench_data_command, ["--scale", "small"])
    assert made.exit_code == 0, made.output
    checked = runner.invoke(args=["totals", "check"])
    assert checked.exit_code == 0, checked.output
    assert "agree" in checked.output
    with app.app_context():
        db.engine.dispose()
