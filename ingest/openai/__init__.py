"""OpenAI's knowledge-base API over knowbase: Files, vector stores (= collections), the files in
them and file batches. No HTTP here: ``api/routes/openai_files.py`` and ``openai_vector_stores.py``
are thin; object ids come from ``core/metadata/openai_ids.py``."""
