"""Settings from environment variables (and an optional .env file beside app.py)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from botbuilder.schema import CallerIdConstants
from botframework.connector.auth import AuthenticationConstants

from bot.limits import RateLimitedLog
from domain.engagement import NUDGE_LEASE


class ConfigurationError(Exception):
    """A setting the bot cannot start with; the message is the one line the operator sees."""


def configure_logging() -> None:
    """INFO to stderr (one line per turn); the Azure SDK only from WARNING, because at INFO it
    logs every HTTP request and response with their headers. Every line goes through a rate
    limit per message template, so a flood of failing requests cannot fill the disk."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RateLimitedLog())
    logging.getLogger("azure").setLevel(logging.WARNING)


def load_dotenv(path: Path) -> None:
    """Reads KEY=VALUE lines; variables already set in the environment win."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


@dataclass(frozen=True)
class Settings:
    port: int = 3978
    host: str = "0.0.0.0"
    app_id: str = ""
    app_password: str = ""
    app_type: str = "MultiTenant"
    app_tenant_id: str = ""
    # No app id is allowed only when this is set (BOT_ANONYMOUS=true): local runs and tests.
    anonymous: bool = False
    data_dir: Path = Path("data")
    cosmos_endpoint: str = ""
    cosmos_key: str = ""
    cosmos_database: str = "fasttrack"
    cosmos_container: str = "engagements"
    # Where the Bot Framework's OpenID metadata (and through it the token signing keys) is
    # read from; empty = the SDK's built-in public-cloud default.
    openid_metadata_url: str = ""
    # Tenants allowed to use the bot; empty = any tenant.
    allowed_tenants: frozenset[str] = frozenset()
    nudges_enabled: bool = True
    nudge_interval_s: float = 60.0
    # How long a run's claim on a nudge (digest, weekly report, personal reminder) holds: a
    # crashed run's nudges are posted by a later run once it lapses; a post gets half of it.
    nudge_lease_s: float = NUDGE_LEASE.total_seconds()
    # Bearer secret for POST /api/nudges/run; empty = the endpoint refuses every call.
    nudge_run_secret: str = ""
    max_connections: int = 1000
    max_in_flight: int = 256
    # Where signed download and chart links point (the bot's own https host in production);
    # empty = http://localhost:<port>.
    public_base_url: str = ""
    # The HMAC key of those links, shared by every instance; empty = a random key per process
    # (local use: links then work only on the instance that made them, until it restarts).
    link_signing_key: str = ""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        return cls(
            port=int(env.get("PORT") or 3978),
            host=env.get("HOST") or "0.0.0.0",
            app_id=env.get("MicrosoftAppId", ""),
            app_password=env.get("MicrosoftAppPassword", ""),
            app_type=env.get("MicrosoftAppType") or "MultiTenant",
            app_tenant_id=env.get("MicrosoftAppTenantId", ""),
            anonymous=env.get("BOT_ANONYMOUS", "").strip().lower() == "true",
            data_dir=Path(env.get("BOT_DATA_DIR") or "data"),
            cosmos_endpoint=env.get("COSMOS_ENDPOINT", ""),
            cosmos_key=env.get("COSMOS_KEY", ""),
            cosmos_database=env.get("COSMOS_DATABASE") or "fasttrack",
            cosmos_container=env.get("COSMOS_CONTAINER") or "engagements",
            openid_metadata_url=env.get("BOT_OPENID_METADATA_URL", ""),
            allowed_tenants=frozenset(
                t.strip() for t in env.get("ALLOWED_TENANTS", "").split(",") if t.strip()
            ),
            nudges_enabled=env.get("NUDGES_ENABLED", "true").strip().lower()
            not in ("false", "0", "no", "off"),
            nudge_interval_s=float(env.get("NUDGE_INTERVAL_SECONDS") or 60),
            nudge_lease_s=float(env.get("NUDGE_LEASE_SECONDS") or NUDGE_LEASE.total_seconds()),
            nudge_run_secret=env.get("NUDGE_RUN_SECRET", ""),
            max_connections=int(env.get("BOT_MAX_CONNECTIONS") or 1000),
            max_in_flight=int(env.get("BOT_MAX_IN_FLIGHT") or 256),
            public_base_url=env.get("PUBLIC_BASE_URL", "").strip(),
            link_signing_key=env.get("LINK_SIGNING_KEY", ""),
        )

    @property
    def link_origin(self) -> str:
        return self.public_base_url or f"http://localhost:{self.port}"

    def check_identity(self) -> None:
        """Without an app id the bot accepts requests without a token; that must be asked
        for, never the result of a missing or misspelt variable."""
        if not self.app_id and not self.anonymous:
            raise ConfigurationError(
                "MicrosoftAppId is empty: set it (and MicrosoftAppPassword), or set "
                "BOT_ANONYMOUS=true to run unauthenticated for local use"
            )

    def bot_framework_config(self) -> object:
        """The attribute names botbuilder's ConfigurationBotFrameworkAuthentication reads.

        Setting any TO_*/OAUTH_URL/CALLER_ID attribute switches botbuilder from its built-in
        public-cloud authentication to the "parameterized" one, which takes every endpoint
        from this object and has no defaults of its own (a missing token issuer refuses every
        token; a missing login URL breaks outbound calls). So with a custom OpenID metadata URL
        all of them are given, with the public cloud's values for everything else.
        """
        attributes: dict[str, object] = {
            "APP_ID": self.app_id,
            "APP_PASSWORD": self.app_password,
            "APP_TYPE": self.app_type,
            "APP_TENANTID": self.app_tenant_id,
        }
        if self.openid_metadata_url:
            attributes |= {
                "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": self.openid_metadata_url,
                "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": (
                    AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
                ),
                "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL": (
                    AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL
                ),
                # The prefix, as the built-in public cloud uses it: the credential factory
                # adds the tenant and picks MicrosoftAppCredentials for this host.
                "TO_CHANNEL_FROM_BOT_LOGIN_URL": (
                    AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
                ),
                "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": (
                    AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
                ),
                "OAUTH_URL": AuthenticationConstants.OAUTH_URL,
                "CALLER_ID": CallerIdConstants.public_azure_channel,
            }
        return type("BotFrameworkConfig", (), attributes)()
