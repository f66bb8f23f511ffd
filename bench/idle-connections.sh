#!/bin/bash
# Memory and open files of one Release silo holding many idle Kafka connections (docs/performance.md).
# usage: bench/idle-connections.sh <silo-bin-dir> [connections] [extra]
#   e.g. bench/idle-connections.sh src/Orka.Silo/bin/Release/net10.0 10000 500
# Starts a silo with Orka:Kafka:MaxConnections and MaxConnectionsPerIp set to <connections>
# (default 10000), prints its resident memory (VmRSS) and open files idle, opens <connections> idle
# TCP connections to its Kafka port from one process, prints them again, then opens <extra> more
# (default 500), which the limit must refuse, and checks the silo still answers ApiVersions.
# Needs an open-file limit above connections + extra + ~200 for this shell and the silo (ulimit -n).
set -e
SILO=$1/Orka.Silo.dll; N=${2:-10000}; EXTRA=${3:-500}
ulimit -n $(ulimit -Hn)
W=$(mktemp -d "${TMPDIR:-/tmp}/orka-idle-conn.XXXX")
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
SP=$(port); GP=$(port); KP=$(port)
dotnet $SILO --Orka:NodeId=0 --Orka:DataDirectory=$W/n0 --Orka:MetadataDirectory=$W/meta --Orleans:Endpoints:SiloPort=$SP --Orleans:Endpoints:GatewayPort=$GP --Orka:Kafka:Port=$KP --Orleans:Clustering:PrimarySiloEndPoint=127.0.0.1:$SP --urls=http://127.0.0.1:0 --Logging:LogLevel:Default=Warning --Orka:Kafka:MaxConnections=$N --Orka:Kafka:MaxConnectionsPerIp=$N > $W/silo.log 2>&1 &
SPID=$!
trap "kill $SPID 2>/dev/null; rm -rf $W" EXIT
for i in $(seq 1 120); do (echo > /dev/tcp/127.0.0.1/$KP) 2>/dev/null && break; sleep 0.5; done
sleep 5
figures() { echo "$1: rss $(awk '/VmRSS/{print $2}' /proc/$SPID/status) KiB, open files $(ls /proc/$SPID/fd | wc -l), threads $(awk '/Threads/{print $2}' /proc/$SPID/status)"; }
figures "idle node"
python3 - $KP $N $EXTRA $SPID <<'PY'
import resource, socket, struct, sys, time
port, n, extra, pid = map(int, sys.argv[1:])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
def rss():
    return next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS"))
def fds():
    import os
    return len(os.listdir(f"/proc/{pid}/fd"))
held = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port)); held.append(s)
time.sleep(10)
print(f"{n} idle connections: rss {rss()} KiB, open files {fds()}", flush=True)
refused = 0
extras = []
for i in range(extra):
    extras.append(socket.create_connection(("127.0.0.1", port)))
time.sleep(5)  # a refused connection is closed at once; this is ample on a loaded machine
for s in extras:
    s.setblocking(False)
    try:
        refused += s.recv(1) == b""
    except BlockingIOError:
        pass  # still open: not refused
    except ConnectionResetError:
        refused += 1
print(f"{extra} more: {refused} closed by the node at once; rss {rss()} KiB, open files {fds()}", flush=True)
for s in extras: s.close()
# ApiVersions v0 on one held connection: the node still serves.
s = held[0]; s.settimeout(30)
body = struct.pack(">hhih", 18, 0, 7, -1)
s.sendall(struct.pack(">i", len(body)) + body)
size = struct.unpack(">i", s.recv(4))[0]
print(f"ApiVersions on a held connection: {size}-byte response", flush=True)
PY
figures "after"
grep -c "refused" $W/silo.log | sed 's/^/refusal log lines: /'
