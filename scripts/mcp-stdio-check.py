#!/usr/bin/env python3
"""Drives `meterbridge mcp` over stdio with the official MCP Python SDK (PyPI `mcp`).

Usage: mcp-stdio-check.py MCP_BINARY FROM TO
Initializes, lists the tools, calls list_metrics and top_customers (metric "CPU hours", FROM..TO) and
a call that must fail, then prints what it saw as one JSON object on stdout. The MeterBridge tests
run it with the virtualenv that scripts/test creates (.build-mcp/venv) and compare the numbers with
the in-process reports. The server inherits this process's environment (DATABASE_URL, PGOPTIONS).
"""
import asyncio
import json
import os
import sys

from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client


async def main(binary: str, start: str, end: str) -> None:
    server = StdioServerParameters(command=binary, args=["mcp"], env=dict(os.environ))
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as session:
            initialized = await session.initialize()
            tools = await session.list_tools()
            metrics = await session.call_tool("list_metrics", {})
            top = await session.call_tool("top_customers", {"metric": "CPU hours", "from": start, "to": end})
            refused = await session.call_tool("top_customers", {"metric": "CPU hours", "from": end, "to": start})
            print(json.dumps({
                "protocol_version": str(initialized.protocol_version),
                "server_name": initialized.server_info.name,
                "tools": sorted(tool.name for tool in tools.tools),
                "schemas": {tool.name: tool.input_schema for tool in tools.tools},
                "list_metrics": {"is_error": metrics.is_error, "structured": metrics.structured_content},
                "top_customers": {
                    "is_error": top.is_error,
                    "structured": top.structured_content,
                    "text": [block.text for block in top.content if getattr(block, "type", "") == "text"],
                },
                "refused": {
                    "is_error": refused.is_error,
                    "text": [block.text for block in refused.content if getattr(block, "type", "") == "text"],
                },
            }))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
