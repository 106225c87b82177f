"""OpenAI's Responses API with the ``file_search`` tool, answered by the chat engine."""
