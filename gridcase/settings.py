"""Settings: one file; every deployment knob is an environment variable with a strict parser
(the parsers are in gridcase/core/env.py).

The embedded default (no variables set) runs on SQLite in ./var with debug off, so that
`python3 dev.py run` works on a bare machine and is what a town runs. Production sets
GRIDCASE_ALLOWED_HOSTS, GRIDCASE_SITE_URL (https://…) and DATABASE_URL; README lists them all.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from gridcase.core.env import env_bool, env_int, env_list, env_networks

BASE_DIR = Path(__file__).resolve().parent

# Debug pages list every URL and setting: only on when asked for (`gridcase serve --dev`).
DEBUG = env_bool("GRIDCASE_DEBUG", False)
DATA_DIR = Path(os.environ.get("GRIDCASE_DATA_DIR") or Path.cwd() / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _generated_secret_key(path: Path) -> str:
    """The data directory's own key, made on first start (mode 0600) and read ever after.

    Written to a private temporary file and linked into place, so that processes starting
    together (the web server's workers, the background worker) all end up with one key.
    """
    if not path.exists():
        import contextlib
        import secrets
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
            with contextlib.suppress(FileExistsError):  # another process was first: use its key
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    key = path.read_text().strip()
    if len(key) < 32:
        raise ImproperlyConfigured(f"{path} holds no usable secret key: delete it to make one")
    return key


SECRET_KEY = os.environ.get("GRIDCASE_SECRET_KEY", "") or _generated_secret_key(
    DATA_DIR / "secret_key"
)

ALLOWED_HOSTS = env_list(
    "GRIDCASE_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("GRIDCASE_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("GRIDCASE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "gridcase.org.admin_apps.GridcaseAdminConfig",  # the admin, for administrators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "huey.contrib.djhuey",
    "gridcase.core",
    "gridcase.org",
    "gridcase.cases",
    "gridcase.assessment",
    "gridcase.ledger",
    "gridcase.notify",
    "gridcase.api",
    "gridcase.web",
    "gridcase.demo",  # the demo town and `gridcase serve`, on top of everything
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gridcase.api.middleware.InvalidPathMiddleware",  # a control character in a path: 404
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gridcase.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "gridcase.urls"
WSGI_APPLICATION = "gridcase.wsgi.application"
AUTH_USER_MODEL = "org.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "web:start"  # each role's own start page (web/nav.py)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gridcase.web.context_processors.inbox",
            ],
        },
    },
]


# Every SQLite database, the default one or one named by DATABASE_URL=sqlite:///…: WAL lets
# readers work while one writer writes; IMMEDIATE takes the write lock at the start of a
# transaction so two writers queue (up to the timeout, in seconds) instead of failing mid-way
# with "database is locked".
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        db = dj_database_url.parse(url, conn_max_age=env_int("GRIDCASE_DB_CONN_MAX_AGE", 60))
        db.setdefault("TEST", {})
        # Parallel runs on one server (a developer's and CI's) need their own test database.
        if os.environ.get("GRIDCASE_TEST_DB_NAME"):
            db["TEST"]["NAME"] = os.environ["GRIDCASE_TEST_DB_NAME"]
    else:
        db = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("GRIDCASE_SQLITE_PATH") or str(DATA_DIR / "gridcase.sqlite3"),
        }
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # Options given in the URL's query string win.
        db["OPTIONS"] = SQLITE_OPTIONS | db.get("OPTIONS", {})
    return _without_jit(db)


def _without_jit(db: dict) -> dict:
    """PostgreSQL's JIT compiles a query whose estimated cost is high — a town's quarter of
    cases, two years' counts — and the compiling costs more than it saves for gridcase's
    queries, which read a town's rows once: 1.76 s of the 8.5 s fetch of a million-case town's
    quarter, 160 ms of `/assessment/`'s 0.94 s (bench/README.md). Off for gridcase's
    connections, whatever the server's setting; options given in the URL come first."""
    if "postgresql" in db["ENGINE"]:
        options = db.setdefault("OPTIONS", {})
        given = options.get("options", "")
        if "jit" not in given:
            options["options"] = f"{given} -c jit=off".strip()
    return db


DATABASES = {"default": _database()}

# Issue 15, past one machine: read-only workbench pages may read from a streaming replica of
# PostgreSQL (gridcase/core/replica.py says which reads, and why the rest stay on the
# primary). A browser that wrote reads from the primary for GRIDCASE_REPLICA_PIN_SECONDS,
# longer than the replica's lag on a local network (docs: README, "Past one machine").
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    _replica = _without_jit(
        dj_database_url.parse(
            DATABASE_REPLICA_URL, conn_max_age=env_int("GRIDCASE_DB_CONN_MAX_AGE", 60)
        )
    )
    if _replica["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL must name a replica of DATABASE_URL's database (same engine)"
        )
    # Tests use the primary's test database through this alias: one database, two names.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
    REPLICA_DATABASES = ["replica"]
    DATABASE_ROUTERS = ["gridcase.core.replica.PageReplicaRouter"]
    MULTIDB_PINNING_SECONDS = env_int("GRIDCASE_REPLICA_PIN_SECONDS", 10)
    MULTIDB_PINNING_COOKIE = "gridcase_primary"
    MULTIDB_PINNING_COOKIE_HTTPONLY = True
    # Before the session's middleware, so that the session saved on the way out counts as a
    # write that pins the browser to the primary.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "gridcase.core.replica.ReplicaMiddleware",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("GRIDCASE_MEDIA_ROOT") or DATA_DIR / "media")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
GRIDCASE_ATTACHMENT_MAX_BYTES = env_int("GRIDCASE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# How many queued cases the field terminal (/field/) sends at once: a few, so that a slow
# network's latency overlaps; one on a server that cannot take parallel writes.
GRIDCASE_FIELD_SEND_CONCURRENCY = env_int("GRIDCASE_FIELD_SEND_CONCURRENCY", 3)
if not 1 <= GRIDCASE_FIELD_SEND_CONCURRENCY <= 6:
    raise ImproperlyConfigured("GRIDCASE_FIELD_SEND_CONCURRENCY must be 1 to 6")
# A ledger uploaded on the import page, and how many cases make an export a background job:
# the case ledger's rows, the payroll period's cases (its XLSX lists each one; about 1 s of
# writing per 8,000 cases on a 2-core machine, see web/views/assessment/downloads.py).
GRIDCASE_LEDGER_MAX_BYTES = env_int("GRIDCASE_LEDGER_MAX_BYTES", 20 * 1024 * 1024)
GRIDCASE_EXPORT_JOB_ROWS = env_int("GRIDCASE_EXPORT_JOB_ROWS", 5000)
GRIDCASE_PAYROLL_JOB_CASES = env_int("GRIDCASE_PAYROLL_JOB_CASES", 5000)
# A background job (import or export) still running this long after its step began has lost
# its worker: the worker's sweep ends it (gridcase.core.jobs).
GRIDCASE_JOB_TIME_LIMIT_MINUTES = env_int("GRIDCASE_JOB_TIME_LIMIT_MINUTES", 60)
if GRIDCASE_JOB_TIME_LIMIT_MINUTES < 1:
    raise ImproperlyConfigured("GRIDCASE_JOB_TIME_LIMIT_MINUTES must be a positive number")

# Backups (gridcase.core.backup): where `gridcase backup` and the worker's nightly backup
# (02:30 server time) write, and how many of the newest the night keeps; 0 turns the night off.
GRIDCASE_BACKUP_DIR = Path(os.environ.get("GRIDCASE_BACKUP_DIR") or DATA_DIR / "backups")
GRIDCASE_BACKUP_KEEP = env_int("GRIDCASE_BACKUP_KEEP", 7)
if GRIDCASE_BACKUP_KEEP < 0:
    raise ImproperlyConfigured("GRIDCASE_BACKUP_KEEP must be 0 (off) or a positive number")

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": os.environ.get("GRIDCASE_HUEY_NAME", "gridcase"),
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": env_int("GRIDCASE_WORKERS", 2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "gridcase",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": env_bool("GRIDCASE_HUEY_IMMEDIATE", False),
        "consumer": {"workers": env_int("GRIDCASE_WORKERS", 2), "worker_type": "thread"},
    }

# Django's cache holds the dashboard's figures (web/dashboard_cache.py): in Redis, shared by
# every web and worker process, when REDIS_URL is set; else in each process's memory.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("GRIDCASE_HUEY_NAME", "gridcase"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long the dashboard's figures are kept before they are computed again (seconds).
GRIDCASE_DASHBOARD_MAX_AGE = env_int("GRIDCASE_DASHBOARD_MAX_AGE", 600)
if GRIDCASE_DASHBOARD_MAX_AGE < 0:
    raise ImproperlyConfigured("GRIDCASE_DASHBOARD_MAX_AGE must be 0 (always compute) or more")
# How long an assessment page may wait for its figures (milliseconds): when the last
# computation of the same town and period took longer, the page shows that one with its time
# while the worker computes the current one (web/dashboard_cache.latest; with Redis only).
GRIDCASE_ASSESSMENT_WAIT_MS = env_int("GRIDCASE_ASSESSMENT_WAIT_MS", 100)
if GRIDCASE_ASSESSMENT_WAIT_MS < 0:
    raise ImproperlyConfigured("GRIDCASE_ASSESSMENT_WAIT_MS must be 0 or more")

# Addresses push channels may call although they are loopback or link-local (see
# gridcase/notify/channels/destinations.py); empty: the server never calls itself.
GRIDCASE_WEBHOOK_ALLOW = env_networks("GRIDCASE_WEBHOOK_ALLOW")

EMAIL_BACKEND = os.environ.get(
    "GRIDCASE_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("GRIDCASE_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("GRIDCASE_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("GRIDCASE_FROM_EMAIL", "gridcase@localhost")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Tokens first, so that a request without credentials is answered 401 with
    # `WWW-Authenticate: Token`; the session (the workbench) enforces CSRF on unsafe methods.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gridcase.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "gridcase.api.permissions.TokenScope",
    ],
    "DEFAULT_PARSER_CLASSES": ["gridcase.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "gridcase.api.errors.exception_handler",
    "URL_FORMAT_OVERRIDE": None,
    "COERCE_DECIMAL_TO_STRING": False,
    "UNICODE_JSON": True,
    "STRICT_JSON": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Password attempts of the API's sign-in, per client address (gridcase.api.views.tokens).
    "DEFAULT_THROTTLE_RATES": {"sign_in": "10/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "gridcase API",
    "DESCRIPTION": (
        "网格化管理事件系统的接口:事件的录入与办理、附件、回访、日历、组织、考核,"
        "以及 Open311 GeoReport v2(/open311/v2/)。\n\n"
        "**认证**:网页工作台用会话(非 GET 请求须带 X-CSRFToken);设备和外部系统用令牌,"
        "请求头 `Authorization: Token <key>`(或 `Bearer <key>`)。"
        "设备令牌属于个人、以本人的角色调用:在工作台登录后 POST /api/v1/tokens/ 创建,"
        "或由移动终端以用户名和密码 POST /api/v1/auth/token/ 换取;本人可随时撤销。"
        "系统令牌由本镇管理员创建(/api/v1/system-tokens/ 或管理后台),限于一个镇:"
        "read 以全镇只读身份读取已提交的事件(电话号码打码,不能办理,不能查看考核报酬);"
        "write 另可作为 Open311 的 api_key 提交群众上报。"
        "令牌只在创建时显示一次,服务器只保存其 SHA-256。"
        "只读令牌只能发 GET 请求。\n\n"
        "**权限**:不在调用者权限范围内的事件一律 404;角色不能执行的操作 403,附原因。\n\n"
        '**错误**:`{"code": ..., "message": "中文说明", "fields": {...}}`,'
        "code 稳定,可供程序判断;未知字段、格式错误、超长内容一律 400。\n\n"
        "**幂等**:创建和办理的 POST 可带 `Idempotency-Key` 请求头;断网重发时返回第一次的结果"
        "(响应头 `Idempotent-Replayed: true`),同一个键用于内容不同的请求返回 422。\n\n"
        "**分页**:列表按游标分页,沿 next 地址取下一页。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from the drf-spectacular-sidecar package: the docs work without internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    "ENUM_NAME_OVERRIDES": {
        "CategoryEnum": "gridcase.cases.models.Category",
        "QuarterStatusEnum": "gridcase.assessment.models.QuarterAssessment.Status",
        "SuspectStatusEnum": "gridcase.assessment.models.SuspectPair.Status",
        "UnitKindEnum": "gridcase.org.models.Unit.Kind",
        "TokenKindEnum": "gridcase.api.models.ApiToken.Kind",
        "CalendarDayKindEnum": "gridcase.api.serializers.calendar.DAY_KINDS",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gridcase.api.schema.add_error_responses",
        "gridcase.api.schema.state_server_rules",
    ],
}

# HTTPS: on when the site's address is https:// (production behind a reverse proxy that ends
# TLS and sets X-Forwarded-Proto), off for http://127.0.0.1:8000 on a bare machine — secure-only
# cookies, a redirect to https and HSTS there would lock the local user out. Not tied to DEBUG.
HTTPS = env_bool("GRIDCASE_HTTPS", SITE_URL.startswith("https://"))
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("GRIDCASE_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    MULTIDB_PINNING_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("GRIDCASE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("GRIDCASE_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Static files are served by the app itself (WhiteNoise), so one machine needs no front web
# server: `gridcase serve` collects them into STATIC_ROOT at every start (collectstatic).
# With debug on, WhiteNoise reads them from the apps directly. Uploaded files have no URL: see
# gridcase/urls.py.
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at every start about a missing one
# Files a browser asks for at the site's root whatever the page says (/favicon.ico).
WHITENOISE_ROOT = BASE_DIR / "web" / "root"

# Security headers. The Content-Security-Policy allows scripts and styles from this site's
# files only: no inline <script>, no event-handler attributes, no style attributes. The API
# docs (Swagger UI, Redoc) get what they need on their own views (gridcase/api/urls.py).
# Permissions-Policy: the field terminal and the case form locate the officer (geolocation) and
# take photos (camera); nothing else is used.
SELF, NONE = "'self'", "'none'"

# The town's map (/map/) draws its base layer from one setting, GRIDCASE_MAP_TILES (docs/maps.md):
# - a tile server on the town's network, as a Leaflet URL template
#   ("https://t{s}.tianditu.gov.cn/vec_w/wmts?...&x={x}&y={y}&tk=..." or "/tiles/{z}/{x}/{y}.png");
# - or a PMTiles file on this machine (a value ending in ".pmtiles"; relative to the data
#   directory), which gridcase serves to signed-in users with HTTP ranges (/map/base.pmtiles);
# - empty: no base layer, the cases on a plain background.
# The one variable becomes two settings: the template (GRIDCASE_MAP_TILES, what the pages get)
# and the file (GRIDCASE_MAP_PMTILES, never shown to a browser); a system check reads the file's
# header at start (gridcase/web/checks.py).
PMTILES_SUFFIX = ".pmtiles"


def map_pmtiles_path(value: str, data_dir: Path) -> Path | None:
    """The PMTiles file GRIDCASE_MAP_TILES names, or None when it names none (a URL template or
    nothing). A URL of a .pmtiles file is refused: gridcase serves the file itself."""
    if not value.lower().endswith(PMTILES_SUFFIX):
        return None
    if "://" in value or value.startswith("//"):
        raise ImproperlyConfigured(
            "GRIDCASE_MAP_TILES: a PMTiles file must be a path on this machine (gridcase serves "
            f"it), not a URL: {value!r}"
        )
    return data_dir / Path(value).expanduser()  # an absolute path stays as it is


_map_tiles = os.environ.get("GRIDCASE_MAP_TILES", "").strip()
GRIDCASE_MAP_PMTILES = map_pmtiles_path(_map_tiles, DATA_DIR)
GRIDCASE_MAP_TILES = "" if GRIDCASE_MAP_PMTILES else _map_tiles


def map_tiles_source(template: str) -> str | None:
    """The CSP source that lets the browser load the template's tiles: its scheme and host, the
    subdomain placeholder ({s}) widened to a wildcard label; None when the tiles are this site's
    own (a relative URL, the PMTiles file) or no template is set."""
    if not template or template.startswith("/") and not template.startswith("//"):
        return None
    scheme, sep, rest = template.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0]
    if not sep or scheme not in ("http", "https") or not host:
        raise ImproperlyConfigured(
            f"GRIDCASE_MAP_TILES must be an http(s) URL template or a path, not {template!r}"
        )
    if "{" in host:
        # "t{s}.tianditu.gov.cn" -> "*.tianditu.gov.cn" (CSP allows a wildcard leftmost label).
        label, _, parent = host.partition(".")
        if "{" in parent or not parent:
            raise ImproperlyConfigured(
                f"GRIDCASE_MAP_TILES: only the first label of the host may vary, not {host!r}"
            )
        host = "*." + parent
    return f"{scheme}://{host}"


_tiles_source = map_tiles_source(GRIDCASE_MAP_TILES)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *([_tiles_source] if _tiles_source else [])],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
PERMISSIONS_POLICY = {
    "geolocation": ["self"],
    "camera": ["self"],
    **{
        feature: []
        for feature in (
            "accelerometer",
            "autoplay",
            "browsing-topics",
            "display-capture",
            "encrypted-media",
            "gyroscope",
            "hid",
            "idle-detection",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "publickey-credentials-get",
            "screen-wake-lock",
            "serial",
            "usb",
            "xr-spatial-tracking",
        )
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GRIDCASE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}


# ---------------------------------------------------------------- sign-in limits (django-axes)
# Wrong passwords are counted per account and per client address, separately: 10 failures
# within 15 minutes lock that account (from every address) or that address (for every
# account) for 15 minutes after the last failure. Attempts while locked are refused without
# checking the password and do not extend the wait, so the wait the person is told is true.
# A successful sign-in clears the account's count (gridcase.core.signin.SignInHandler).

# The reverse proxies whose X-Forwarded-For is believed (gridcase.core.client_address).
GRIDCASE_TRUSTED_PROXIES = env_networks("GRIDCASE_TRUSTED_PROXIES")
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("GRIDCASE_SIGNIN_FAILURE_LIMIT", 10)
_cool_off_minutes = env_int("GRIDCASE_SIGNIN_COOLOFF_MINUTES", 15)
for _name, _value in [
    ("GRIDCASE_SIGNIN_FAILURE_LIMIT", AXES_FAILURE_LIMIT),
    ("GRIDCASE_SIGNIN_COOLOFF_MINUTES", _cool_off_minutes),
]:
    if _value < 1:
        raise ImproperlyConfigured(f"{_name} must be a positive integer, not {_value}")
AXES_COOLOFF_TIME = timedelta(minutes=_cool_off_minutes)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "gridcase.core.signin.SignInHandler"
AXES_CLIENT_IP_CALLABLE = "gridcase.core.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "gridcase.core.signin.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failed sign-in: who, from where, when
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not kept
AXES_ENABLE_ADMIN = False  # shown by gridcase's own read-only, town-scoped pages
AXES_VERBOSE = False
# axes says "successful login" at INFO for every sign-in; failures are WARNING.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}
