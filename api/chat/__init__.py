"""Chat orchestration: no HTTP here, so the REST routes, the OpenAI-compatible endpoint and the CLI share it."""
