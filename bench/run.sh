#!/usr/bin/env bash
# Reproduces the measured tables of docs/performance.md on this machine, from a fresh clone:
# builds Release, then runs the perf suite (hardware baselines, Redis Streams and NATS JetStream
# peers, Orka with 1 and 3 nodes through `orka perf`) and the storage throughput runner.
# Needs Debian's redis-server and nats-server (installed here with apt-get if missing and root).
# Usage: bash bench/run.sh [--quick]      (full run: about 10 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }
if ! need redis-server || ! need nats-server; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -q redis-server nats-server >/dev/null
  else
    echo "bench/run.sh: needs redis-server and nats-server (apt-get install redis-server nats-server)" >&2
    exit 1
  fi
fi

out=bench/results
mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
dotnet build -c Release Orleans.sln -v q -nologo
dotnet run -c Release --no-build --project bench/Orka.PerfSuite -- "$@" --out "$out/suite-$stamp.md"
dotnet run -c Release --no-build --project bench/Orka.Benchmarks -- throughput | tee "$out/storage-$stamp.md"
echo "Results: $out/suite-$stamp.md and $out/storage-$stamp.md"
