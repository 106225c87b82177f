"""Document ingestion: parse, chunk, embed and store; the durable job queue."""
