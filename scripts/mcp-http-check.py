#!/usr/bin/env python3
"""Drives `meterbridge mcp --http-port` over streamable HTTP with the official MCP Python SDK.

Usage: mcp-http-check.py URL TOKEN
Sends one request without the bearer token (must be refused), then initializes with it, lists the
tools and calls list_metrics; prints what it saw as one JSON object on stdout.
"""
import asyncio
import json
import sys

import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client


async def main(url: str, token: str) -> None:
    async with httpx2.AsyncClient() as plain:
        unauthorized = await plain.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
    client = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
    async with client:
        async with streamable_http_client(url, http_client=client) as (read, write):
            async with ClientSession(read, write) as session:
                initialized = await session.initialize()
                tools = await session.list_tools()
                metrics = await session.call_tool("list_metrics", {})
                print(json.dumps({
                    "unauthorized_status": unauthorized.status_code,
                    "server_name": initialized.server_info.name,
                    "tools": sorted(tool.name for tool in tools.tools),
                    "list_metrics": {"is_error": metrics.is_error, "structured": metrics.structured_content},
                }))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
