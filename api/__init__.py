"""The HTTP surface: FastAPI app, routes, auth, chat orchestration and the CLI. Thin by design."""
