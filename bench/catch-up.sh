#!/bin/bash
# Catch-up read of one Release silo, natively and over the Kafka protocol (docs/performance.md).
# usage: bench/catch-up.sh <silo-bin-dir> <cli-bin-dir> <size:count> ...
#   e.g. bench/catch-up.sh src/Orka.Silo/bin/Release/net10.0 src/Orka.Cli/bin/Release/net10.0 1024:500000 100:2000000
# Per case: a 3-partition topic, count records of size bytes produced natively (acks=1), then
# `orka perf consume` RUNS times (default 3) per protocol in PROTOS (default "native kafka"), printing
# MB/s, records/s and the silo's and the consumer's CPU ticks (1/100 s). KCLI: another CLI folder for
# the kafka runs; CONSUME_ARGS: extra perf consume options; PROFILE=1: perf record the silo;
# CLIPERF="perf record ..." wraps the consumer; PERFMAP=1 WXE=0: JIT symbols for perf.
set -e
SILO=$1/Orka.Silo.dll; CLI=$2/orka.dll; shift 2
KCLI=${KCLI:+$KCLI/orka.dll}; KCLI=${KCLI:-$CLI}  # the CLI for --protocol kafka runs (the base CLI has no kafka consume)
RUNS=${RUNS:-3}; PROTOS=${PROTOS:-native kafka}
W=$(mktemp -d "${TMPDIR:-/tmp}/orka-catch-up.XXXX")
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
SP=$(port); GP=$(port); KP=$(port)
DOTNET_PerfMapEnabled=${PERFMAP:-0} dotnet $SILO --Orka:NodeId=0 --Orka:DataDirectory=$W/n0 --Orka:MetadataDirectory=$W/meta --Orleans:Endpoints:SiloPort=$SP --Orleans:Endpoints:GatewayPort=$GP --Orka:Kafka:Port=$KP --Orleans:Clustering:PrimarySiloEndPoint=127.0.0.1:$SP --urls=http://127.0.0.1:0 --Logging:LogLevel:Default=Warning > $W/silo.log 2>&1 &
SPID=$!
trap "kill $SPID 2>/dev/null; rm -rf $W" EXIT
for i in $(seq 1 120); do (echo > /dev/tcp/127.0.0.1/$GP) 2>/dev/null && break; sleep 0.5; done
echo "silo pid $SPID kafka $KP gw $GP" >&2
n=0
for c in "$@"; do
  IFS=: read size count <<< "$c"
  n=$((n+1)); t=t$n
  dotnet $CLI -g 127.0.0.1:$GP topics create $t --partitions 3 >/dev/null
  dotnet $CLI -g 127.0.0.1:$GP perf produce --topic $t --num-records $count --record-size $size --acks 1 | tail -1 >&2
  for r in $(seq 1 $RUNS); do
    for proto in $PROTOS; do
      extra=""; RC=$CLI; [ $proto = kafka ] && { extra="--protocol kafka --bootstrap-servers 127.0.0.1:$KP"; RC=$KCLI; }
      s0=$(awk '{print $14+$15}' /proc/$SPID/stat)
      [ -n "$PROFILE" ] && { perf record -F 499 -g -p $SPID -o $W/perf.data >/dev/null 2>&1 & PP=$!; }
      out=$(DOTNET_EnableWriteXorExecute=${WXE:-1} DOTNET_PerfMapEnabled=${PERFMAP:-0} /usr/bin/time -f "cli_cpu %U %S" -o $W/time $CLIPERF dotnet $RC -g 127.0.0.1:$GP perf consume --topic $t --messages $count $extra $CONSUME_ARGS | tail -1)
      [ -n "$PROFILE" ] && { kill -INT $PP; wait $PP || true; cp $W/perf.data ./perf-$proto-$size.data; }
      s1=$(awk '{print $14+$15}' /proc/$SPID/stat)
      IFS=', ' read -r _ _ _ _ mb mbs nmsg nmsgs reb fetchms fmbs fnmsgs <<< "$out"
      cpu=$(awk '{printf "%d", ($2+$3)*100}' $W/time)
      echo "$size x $count $proto run$r | MB.sec $mbs fetch.MB.sec $fmbs nMsg.sec $nmsgs fetch.ms $fetchms | silo cpu $((s1-s0)) ticks | cli cpu $cpu ticks"
    done
  done
done
