"""GET /files/<token>: the export files and the report's chart, behind signed links.

Anything wrong with a link (tampered, expired, for another engagement or tenant, or the
engagement gone) gets the same 403 with no data; the reason is not told.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from dialogs.files import Busy, Files
from dialogs.links import FILES_PATH, LinkRefused
from storage.base import StoreUnavailable

log = logging.getLogger("bot.files")

FILE_ROUTE = FILES_PATH + "/{token}"


def file_handler(files: Files) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def serve(request: web.Request) -> web.Response:
        try:
            found = await files.serve(request.match_info["token"])
        except LinkRefused:
            return web.Response(status=403, text="forbidden")
        except (Busy, StoreUnavailable, TimeoutError) as error:
            log.warning("file not served: %s", type(error).__name__)
            return web.Response(status=503, text="busy", headers={"Retry-After": "5"})
        disposition = "inline" if found.content_type == "image/png" else "attachment"
        return web.Response(
            body=found.body,
            content_type=found.content_type.split(";")[0],
            charset="utf-8" if found.content_type.startswith("text/") else None,
            headers={
                "Content-Disposition": f'{disposition}; filename="{found.filename}"',
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )

    return serve
