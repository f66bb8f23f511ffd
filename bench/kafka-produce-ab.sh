#!/bin/bash
# `orka perf produce --protocol kafka` against one standalone Release silo, alternating two builds
# (A/B: e.g. main and a branch), RUNS times each (default 3), a new 3-partition topic per run.
# usage: bench/kafka-produce-ab.sh <silo-bin-A> <cli-bin-A> <silo-bin-B> <cli-bin-B> [records] [size]
# Each run starts its own silo (fresh data directory), so the builds never share a process.
set -e
RUNS=${RUNS:-3}; N=${5:-1000000}; SIZE=${6:-1024}
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
run() { # label silo-dir cli-dir
  local W SP GP KP SPID
  W=$(mktemp -d "${TMPDIR:-/tmp}/orka-produce-ab.XXXX"); SP=$(port); GP=$(port); KP=$(port)
  dotnet $2/Orka.Silo.dll --Orka:NodeId=0 --Orka:DataDirectory=$W/n0 --Orka:MetadataDirectory=$W/meta --Orleans:Endpoints:SiloPort=$SP --Orleans:Endpoints:GatewayPort=$GP --Orka:Kafka:Port=$KP --Orleans:Clustering:PrimarySiloEndPoint=127.0.0.1:$SP --urls=http://127.0.0.1:0 --Logging:LogLevel:Default=Warning > $W/silo.log 2>&1 &
  SPID=$!
  for i in $(seq 1 120); do (echo > /dev/tcp/127.0.0.1/$KP) 2>/dev/null && break; sleep 0.5; done
  # The Kafka port opens when the silo is active; its client gateway may take a moment longer.
  for i in $(seq 1 10); do dotnet $3/orka.dll -g 127.0.0.1:$GP topics create t --partitions 3 >/dev/null 2>&1 && break; sleep 2; done
  echo "$1 $(dotnet $3/orka.dll -g 127.0.0.1:$GP perf produce --topic t --num-records $N --record-size $SIZE --acks 1 --protocol kafka --bootstrap-servers 127.0.0.1:$KP --reporting-interval 600000 | tail -1)"
  kill $SPID; wait $SPID 2>/dev/null || true; rm -rf $W
}
for r in $(seq 1 $RUNS); do run A $1 $2; run B $3 $4; done
