"""The ingest baseline: an aiohttp handler that only verifies the Slack signature and answers 200.

Bravo cannot answer faster than this, so its figures are reported as a ratio of this server's.
"""

from __future__ import annotations

import argparse

from aiohttp import web
from slack_sdk.signature import SignatureVerifier


def build(secret: str) -> web.Application:
    verifier = SignatureVerifier(secret)

    async def events(request: web.Request) -> web.Response:
        body = await request.text()
        if not verifier.is_valid_request(body, dict(request.headers)):
            return web.Response(status=401)
        return web.json_response({"response_type": "ephemeral", "text": "ok"})

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--reuse-port", action="store_true", help="share the port with other processes")
    args = parser.parse_args()
    web.run_app(
        build(args.secret),
        host="127.0.0.1",
        port=args.port,
        print=None,
        access_log=None,
        reuse_port=args.reuse_port or None,
    )


if __name__ == "__main__":
    main()
