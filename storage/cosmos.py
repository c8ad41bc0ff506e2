"""Azure Cosmos DB (NoSQL API) backend on the asynchronous SDK (`azure.cosmos.aio`).

One container, partition key path `/pk`. A stored item is the caller's body plus `id` and
`pk`; bodies handed back leave out `id`, `pk` and every system property (`_etag`, `_ts`, ...),
so a read returns exactly what was written. The etag is the item's `_etag`.

Every call is bounded by `timeout` seconds, the SDK's own retries included, and anything that
means "the store cannot serve this now" (no connection, timeouts, 429 beyond the SDK's
retries, 5xx, refused credentials) becomes `StoreUnavailable` with a one-line message.

If the database or container disappears while the store is open (someone deleted it, or the
local in-memory test server restarted), Cosmos DB answers 404 with sub-status 1003 ("owner
resource does not exist"); the store then creates them again, as `open()` does, and retries
the call once.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from azure.core import MatchConditions
from azure.core.exceptions import AzureError, ClientAuthenticationError
from azure.core.pipeline.transport import AioHttpTransport
from azure.cosmos import PartitionKey
from azure.cosmos.aio import ContainerProxy, CosmosClient, DatabaseProxy
from azure.cosmos.exceptions import (
    CosmosAccessConditionFailedError,
    CosmosHttpResponseError,
    CosmosResourceExistsError,
    CosmosResourceNotFoundError,
)
from azure.identity.aio import DefaultAzureCredential

from storage import cosmos_json
from storage.base import (
    AlreadyExists,
    Document,
    DocumentStore,
    EtagMismatch,
    NotFound,
    PatchOperation,
    StoreError,
    StoreUnavailable,
)

T = TypeVar("T")

log = logging.getLogger(__name__)

PARTITION_KEY_PATH = "/pk"
DEFAULT_TIMEOUT_S = 10.0
# 404 sub-status Cosmos DB sends when the database or container of an item operation is missing.
OWNER_RESOURCE_NOT_FOUND = 1003
_MESSAGE_LIMIT = 300

_DUE_QUERY = (
    "SELECT TOP @limit * FROM c WHERE IS_STRING(c.nextNudgeAt) AND c.nextNudgeAt <= @upper "
    "ORDER BY c.nextNudgeAt"
)
_LIST_QUERY = "SELECT * FROM c WHERE c.pk = @pk AND STARTSWITH(c.id, @prefix) ORDER BY c.id"


class CosmosStore:
    """`DocumentStore` on one Cosmos DB container.

    `key=None` authenticates with Microsoft Entra ID through `DefaultAzureCredential`
    (managed identity in Azure). `client_options` go to `azure.cosmos.aio.CosmosClient`
    unchanged (for example `connection_timeout`, `retry_total`, `raw_request_hook`).
    """

    def __init__(
        self,
        endpoint: str,
        key: str | None,
        database: str,
        container: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        **client_options: Any,
    ) -> None:
        self._endpoint = endpoint
        self._key = key
        self._database_name = database
        self._container_name = container
        self._timeout = timeout
        self._client_options = client_options
        self._client: CosmosClient | None = None
        self._credential: DefaultAzureCredential | None = None
        self._container: ContainerProxy | None = None
        self._ensure_lock = asyncio.Lock()

    @property
    def endpoint(self) -> str:
        return self._endpoint

    @property
    def database_name(self) -> str:
        return self._database_name

    # --- lifecycle -----------------------------------------------------------------------

    async def open(self) -> None:
        """Connects and creates the database and container if missing, all within one time
        budget. Calling it again on an open store only makes sure they exist."""
        try:
            await self._bounded(self._open())
        except BaseException:
            await self.close()
            raise

    async def _open(self) -> None:
        if self._client is None:
            cosmos_json.install()
            credential: str | DefaultAzureCredential
            if self._key is None:
                self._credential = credential = DefaultAzureCredential()
            else:
                _check_key(self._key, self._endpoint)
                credential = self._key
            self._client = CosmosClient(
                self._endpoint, credential, transport=cosmos_transport(), **self._client_options
            )
            # Reads the account metadata: the first round trip, so the first to fail.
            await self._client.__aenter__()
        await self._ensure()

    async def _ensure(self) -> None:
        client = self._client
        if client is None:
            raise StoreUnavailable("Cosmos DB store is not open")
        database: DatabaseProxy = await client.create_database_if_not_exists(self._database_name)
        self._container = await database.create_container_if_not_exists(
            self._container_name, partition_key=PartitionKey(path=PARTITION_KEY_PATH)
        )

    async def close(self) -> None:
        client, self._client, self._container = self._client, None, None
        if client is not None:
            await _close_quietly(client)
        await self._close_credential()

    async def _close_credential(self) -> None:
        credential, self._credential = self._credential, None
        if credential is not None:
            await credential.close()

    async def ping(self) -> None:
        await self._run(lambda c: c.read(), missing_container_on_404=True)

    # --- documents -----------------------------------------------------------------------

    async def read(self, pk: str, doc_id: str) -> Document | None:
        try:
            item = await self._run(lambda c: c.read_item(doc_id, partition_key=pk))
        except CosmosResourceNotFoundError:
            return None
        return Document(pk, doc_id, _body_of(item), str(item["_etag"]))

    async def read_if_changed(self, known: Document) -> Document | None:
        try:
            item = await self._run(
                lambda c: c.read_item(
                    known.id,
                    partition_key=known.pk,
                    etag=known.etag,
                    match_condition=MatchConditions.IfModified,
                )
            )
        except CosmosResourceNotFoundError:
            return None
        if not item:  # 304 Not Modified: no body
            return known
        return Document(known.pk, known.id, _body_of(item), str(item["_etag"]))

    async def create(self, pk: str, doc_id: str, body: dict[str, Any]) -> Document:
        item = _item_of(pk, doc_id, body)
        try:
            written = await self._run(lambda c: c.create_item(item, no_response=True))
        except CosmosResourceExistsError as exc:
            raise AlreadyExists(f"{pk}/{doc_id}") from exc
        return Document(pk, doc_id, dict(body), _etag_of(written))

    async def replace(self, pk: str, doc_id: str, body: dict[str, Any], *, etag: str) -> Document:
        item = _item_of(pk, doc_id, body)
        try:
            written = await self._run(
                lambda c: c.replace_item(
                    doc_id,
                    item,
                    etag=etag,
                    match_condition=MatchConditions.IfNotModified,
                    no_response=True,
                )
            )
        except CosmosAccessConditionFailedError as exc:
            raise EtagMismatch(f"{pk}/{doc_id}") from exc
        except CosmosResourceNotFoundError as exc:
            raise NotFound(f"{pk}/{doc_id}") from exc
        return Document(pk, doc_id, dict(body), _etag_of(written))

    async def patch(
        self, pk: str, doc_id: str, operations: list[PatchOperation], *, etag: str
    ) -> str:
        try:
            written = await self._run(
                lambda c: c.patch_item(
                    doc_id,
                    partition_key=pk,
                    patch_operations=operations,
                    etag=etag,
                    match_condition=MatchConditions.IfNotModified,
                    no_response=True,
                )
            )
        except CosmosAccessConditionFailedError as exc:
            raise EtagMismatch(f"{pk}/{doc_id}") from exc
        except CosmosResourceNotFoundError as exc:
            raise NotFound(f"{pk}/{doc_id}") from exc
        return _etag_of(written)

    async def upsert(self, pk: str, doc_id: str, body: dict[str, Any]) -> Document:
        item = _item_of(pk, doc_id, body)
        written = await self._run(lambda c: c.upsert_item(item, no_response=True))
        return Document(pk, doc_id, dict(body), _etag_of(written))

    async def delete(self, pk: str, doc_id: str) -> None:
        with contextlib.suppress(CosmosResourceNotFoundError):
            await self._run(lambda c: c.delete_item(doc_id, partition_key=pk))

    async def list_partition(self, pk: str, id_prefix: str) -> list[Document]:
        async def query(container: ContainerProxy) -> list[dict[str, Any]]:
            # `partition_key` makes it a single-partition query (the SDK sends the partition
            # key header); the pk is in the WHERE clause as well so the query stays scoped
            # on servers that ignore the header (the stock local test server does).
            pages = container.query_items(
                _LIST_QUERY,
                parameters=[{"name": "@pk", "value": pk}, {"name": "@prefix", "value": id_prefix}],
                partition_key=pk,
            )
            return [item async for item in pages]

        return [_document_of(i) for i in await self._run(query)]

    async def list_due(self, upper: str, limit: int) -> list[Document]:
        async def query(container: ContainerProxy) -> list[dict[str, Any]]:
            # Cross-partition on purpose (the scheduler looks at every engagement); Cosmos DB
            # indexes every path by default, so the filter and the ORDER BY use the index.
            pages = container.query_items(
                _DUE_QUERY,
                parameters=[{"name": "@upper", "value": upper}, {"name": "@limit", "value": limit}],
                max_item_count=limit,
            )
            found: list[dict[str, Any]] = []
            async for item in pages:
                found.append(item)
                if len(found) >= limit:
                    break
            return found

        if limit <= 0:
            return []
        return [_document_of(i) for i in await self._run(query)]

    # --- plumbing ------------------------------------------------------------------------

    async def _run(
        self,
        op: Callable[[ContainerProxy], Awaitable[T]],
        *,
        missing_container_on_404: bool = False,
    ) -> T:
        """Runs `op` on the container within the time budget. Cosmos errors the caller maps
        (404, 409, 412) pass through; everything meaning "unavailable" becomes
        StoreUnavailable, anything else StoreError."""
        container = self._container
        if container is None:
            raise StoreUnavailable("Cosmos DB store is not open")

        async def attempt() -> T:
            try:
                return await op(container)
            except CosmosResourceNotFoundError as exc:
                if not (missing_container_on_404 or _owner_missing(exc)):
                    raise
                log.warning(
                    "Cosmos DB container %s/%s is missing; creating it again",
                    self._database_name,
                    self._container_name,
                )
            async with self._ensure_lock:
                await self._ensure()
            assert self._container is not None
            return await op(self._container)

        return await self._bounded(attempt())

    async def _bounded(self, awaitable: Awaitable[T]) -> T:
        """Awaits within the time budget and translates failures into store errors."""
        try:
            async with asyncio.timeout(self._timeout):
                return await awaitable
        except StoreError:
            raise
        except (
            CosmosResourceNotFoundError,
            CosmosResourceExistsError,
            CosmosAccessConditionFailedError,
        ):
            raise
        except TimeoutError as exc:
            raise StoreUnavailable(
                f"Cosmos DB at {self._endpoint} did not answer within {self._timeout:g} s"
            ) from exc
        except CosmosHttpResponseError as exc:
            raise self._http_error(exc) from exc
        except ClientAuthenticationError as exc:
            raise StoreUnavailable(
                _one_line(f"Cannot authenticate to Cosmos DB at {self._endpoint}: {exc}")
            ) from exc
        except (AzureError, OSError) as exc:
            # ServiceRequestError / ServiceResponseError (and their timeout subclasses),
            # CosmosClientTimeoutError, connection errors from the transport.
            raise StoreUnavailable(
                _one_line(f"Cannot reach Cosmos DB at {self._endpoint}: {_reason(exc)}")
            ) from exc

    def _http_error(self, exc: CosmosHttpResponseError) -> StoreError:
        status = exc.status_code or 0
        reason = _reason(exc)
        if status in (401, 403):
            what = "key" if self._key is not None else "credentials"
            return StoreUnavailable(
                _one_line(f"Cosmos DB refused the {what} for {self._endpoint} ({status}): {reason}")
            )
        if status == 429:
            return StoreUnavailable(
                _one_line(
                    f"Cosmos DB at {self._endpoint} is throttling requests (429) "
                    f"beyond the SDK's retries: {reason}"
                )
            )
        if status >= 500 or status in (408, 410):
            return StoreUnavailable(
                _one_line(f"Cosmos DB at {self._endpoint} is unavailable ({status}): {reason}")
            )
        return StoreError(_one_line(f"Cosmos DB at {self._endpoint} answered {status}: {reason}"))


PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")


def cosmos_transport() -> AioHttpTransport:
    """azure-core's aiohttp transport, reading proxy settings from the environment only when
    a proxy is configured there. Otherwise aiohttp, told to trust the environment, looks up
    proxies and parses ~/.netrc on a worker thread for every request (found by profiling:
    a thread hop and a file read per Cosmos DB call, for nothing)."""
    configured = any(os.environ.get(v) or os.environ.get(v.lower()) for v in PROXY_VARIABLES)
    return AioHttpTransport(use_env_settings=configured)


def _check_key(key: str, endpoint: str) -> None:
    # The SDK signs every request with the decoded key; a malformed key would otherwise
    # surface as a bare binascii.Error from deep inside the first request.
    try:
        ok = bool(key) and bool(base64.b64decode(key, validate=True))
    except (binascii.Error, ValueError):
        ok = False
    if not ok:
        raise StoreUnavailable(
            f"The Cosmos DB key for {endpoint} is not a valid account key (expected base64)"
        )


def _item_of(pk: str, doc_id: str, body: dict[str, Any]) -> dict[str, Any]:
    reserved = [k for k in body if k in ("id", "pk") or k.startswith("_")]
    if reserved:
        raise ValueError(f"document body uses reserved keys {reserved} ({pk}/{doc_id})")
    return {**body, "id": doc_id, "pk": pk}


def _body_of(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in ("id", "pk") and not k.startswith("_")}


def _document_of(item: dict[str, Any]) -> Document:
    return Document(str(item["pk"]), str(item["id"]), _body_of(item), str(item["_etag"]))


def _etag_of(written: dict[str, Any]) -> str:
    # Writes ask for no response body (`no_response`), so the new etag comes from the header.
    headers = getattr(written, "get_response_headers", None)
    etag = headers().get("etag") if headers is not None else None
    etag = etag or written.get("_etag")
    if not etag:
        raise StoreError("Cosmos DB answered a write without an etag")
    return str(etag)


def _owner_missing(exc: CosmosResourceNotFoundError) -> bool:
    sub_status: object = exc.sub_status
    return sub_status == OWNER_RESOURCE_NOT_FOUND


def _reason(exc: BaseException) -> str:
    """The most telling short text of an SDK error."""
    if isinstance(exc, CosmosHttpResponseError):
        text = str(exc.http_error_message or exc.message or exc)
        with contextlib.suppress(ValueError):
            error = json.loads(text)  # the service's error body: {"code": ..., "message": ...}
            if isinstance(error, dict) and error.get("message"):
                text = f"{error.get('code') or 'Error'}: {error['message']}"
    else:
        text = str(getattr(exc, "message", None) or exc) or type(exc).__name__
    # SDK messages are often multi-line ("Code: ...\nMessage: ..."); keep the first non-empty.
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return type(exc).__name__


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


async def _close_quietly(client: CosmosClient) -> None:
    try:
        await client.close()
    except Exception:  # closing a half-open client must not hide the original error
        log.debug("closing the Cosmos DB client failed", exc_info=True)


if TYPE_CHECKING:

    def _implements_the_protocol(store: CosmosStore) -> DocumentStore:
        return store  # mypy fails here when the DocumentStore protocol grows
