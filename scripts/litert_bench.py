#!/usr/bin/env python3
"""Times LiteRT (default resolver: XNNPACK) on one model; used by facescan-bench for side-by-side ratios.

Usage: python3 scripts/litert_bench.py MODEL THREADS RUNS
MODEL is a path or a file name in the models directory ($FACESCAN_MODELS, else
${XDG_CACHE_HOME:-$HOME/.cache}/facescan/models). Input: the same xorshift32 noise as the parity goldens.
Prints one JSON line: {"model", "threads", "runs", "median_ms", "litert"}. Exit 3 if ai_edge_litert
is not importable.
"""
import json
import os
import sys
import time


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: litert_bench.py MODEL THREADS RUNS")
    model, threads, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    try:
        import numpy as np
        import ai_edge_litert
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as e:
        print(json.dumps({"error": f"ai_edge_litert not installed: {e}"}))
        sys.exit(3)
    if not os.path.isfile(model):
        env = os.environ.get("FACESCAN_MODELS")
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        model = os.path.join(env or os.path.join(cache, "facescan", "models"), model)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from make_goldens import xorshift_input, SEED
    interp = Interpreter(model_path=model, num_threads=threads)
    interp.allocate_tensors()
    inp = interp.get_input_details()[0]
    interp.set_tensor(inp["index"], xorshift_input(int(np.prod(inp["shape"])), SEED).reshape(inp["shape"]))
    for _ in range(max(10, runs // 10)):
        interp.invoke()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        interp.invoke()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print(json.dumps({"model": os.path.basename(model), "threads": threads, "runs": runs,
                      "median_ms": times[len(times) // 2],
                      "litert": getattr(ai_edge_litert, "__version__", "unknown")}))


if __name__ == "__main__":
    main()
