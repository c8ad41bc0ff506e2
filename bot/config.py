"""Settings from environment variables (and an optional .env file beside app.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


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
    data_dir: Path = Path("data")
    cosmos_endpoint: str = ""
    cosmos_key: str = ""
    cosmos_database: str = "fasttrack"
    cosmos_container: str = "engagements"

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
            data_dir=Path(env.get("BOT_DATA_DIR") or "data"),
            cosmos_endpoint=env.get("COSMOS_ENDPOINT", ""),
            cosmos_key=env.get("COSMOS_KEY", ""),
            cosmos_database=env.get("COSMOS_DATABASE") or "fasttrack",
            cosmos_container=env.get("COSMOS_CONTAINER") or "engagements",
        )

    def bot_framework_config(self) -> object:
        """The attribute names botbuilder's ConfigurationBotFrameworkAuthentication reads."""

        class BotFrameworkConfig:
            APP_ID = self.app_id
            APP_PASSWORD = self.app_password
            APP_TYPE = self.app_type
            APP_TENANTID = self.app_tenant_id

        return BotFrameworkConfig()
