"""The knowledge base as MCP tools: one set of tools (``tools.py``), served over streamable HTTP at
``/mcp`` (``http.py``) and over stdio by ``knowbase mcp`` (``api/cli_mcp.py``)."""
