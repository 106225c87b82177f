"""External systems behind small protocols: embeddings, lexical encoding, LLM, moderation."""
