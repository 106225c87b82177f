"""The answer room: one chat turn from question to checked, accounted answer.

Each module does one job (budget, input screening, conversation, query rewrite, retrieval call,
LLM or extractive answer, streaming gate, citation check, usage record); ``service.ChatService``
runs them in order. Nothing here imports FastAPI: the CLI, the HTTP routes and tests call it alike.
"""
