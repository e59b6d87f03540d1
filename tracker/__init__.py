"""Track Hidden Harms grants: the app factory."""

from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from tracker.config import INSTANCE_PATH, Config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Config | dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_PATH),
        static_url_path="/assets",
        static_folder="static",
        template_folder=str(ROOT / "templates"),
    )
    if isinstance(config, Config):
        settings, extra = config, {}
    else:
        # Known settings go through Config, so its checks (production needs SECRET_KEY, Secure
        # cookies outside development) see them; anything else is passed to Flask as it is.
        given = dict(config or {})
        known = {
            name: given.pop(name) for name in list(given) if name in Config.__dataclass_fields__
        }
        settings, extra = Config(**known), given
    app.config.update(settings.as_dict())
    app.config.update(extra)
    _key_the_audit_chain()
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    _wire_templates(app)
    _wire_extensions(app)
    # Before any route is added: every <int:...> in a URL is a database id.
    app.url_map.converters["int"] = DatabaseIdConverter
    _register_blueprints(app)

    from tracker.commands import cli
    from tracker.services import passwords
    from tracker.web import asset_versions, errors, security, session_guard, template_filters

    passwords.init_app(app)

    errors.init_app(app)
    security.init_app(app)
    asset_versions.init_app(app)
    session_guard.init_app(app)
    template_filters.init_app(app)
    cli.init_app(app)

    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


class DatabaseIdConverter(IntegerConverter):
    """An id in a URL. One too big for the database's INTEGER columns is simply not found (a
    404), rather than an overflow in the database driver (a 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _wire_templates(app: Flask) -> None:
    """Our templates first, then the GOV.UK macros under their package prefixes."""
    from govuk_frontend_wtf.main import WTFormsHelpers

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)


def _wire_extensions(app: Flask) -> None:
    from tracker import models  # noqa: F401  (registers every model with the metadata)
    from tracker.extensions import csrf, db, login_manager, migrate
    from tracker.infrastructure.database import configure_engine

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page"
    login_manager.session_protection = "strong"
    with app.app_context():
        configure_engine(db.engine, testing=app.config["TESTING"])
    from tracker.totals import tracking

    tracking.listen()  # the running totals move with every flush that moves a figure

    from tracker.data.users import user_for_session

    login_manager.user_loader(user_for_session)


def _register_blueprints(app: Flask) -> None:
    from tracker.account.views import bp as account
    from tracker.admin.views import bp as admin
    from tracker.allocations.views import bp as allocations
    from tracker.api.views import bp as api
    from tracker.auth.views import bp as auth
    from tracker.closure.views import bp as closure
    from tracker.dashboards.views import bp as dashboards
    from tracker.delivery.views import bp as delivery
    from tracker.evidence.views import bp as evidence
    from tracker.exports.views import bp as exports
    from tracker.grantee.views import bp as grantee
    from tracker.imports.views import bp as imports
    from tracker.main.views import bp as main
    from tracker.organisations.views import bp as organisations
    from tracker.payments.views import bp as payments
    from tracker.returns.views import bp as returns
    from tracker.streams.views import bp as streams
    from tracker.team.views import bp as team
    from tracker.variations.views import bp as variations

    for blueprint in (
        api,
        main,
        auth,
        account,
        streams,
        organisations,
        allocations,
        delivery,
        imports,
        grantee,
        returns,
        evidence,
        payments,
        variations,
        closure,
        dashboards,
        exports,
        admin,
        team,
    ):
        app.register_blueprint(blueprint)


def _key_the_audit_chain() -> None:
    """The audit chain's hashes are keyed with the running app's AUDIT_CHAIN_KEY."""
    from flask import current_app, has_app_context

    from tracker.domain import audit_chain

    audit_chain.read_app_key_with(
        lambda: current_app.config.get("AUDIT_CHAIN_KEY") if has_app_context() else None
    )
