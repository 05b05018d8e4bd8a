#!/usr/bin/env bash
# Load test of every authentication path in one app (LoadTarget.cs) with wrk, loopback only. Each endpoint requires one
# scheme and answers the same bytes; /anon requires none and is the baseline, /jwtbearer the other reference. The
# endpoints are interleaved over rounds (each round starting elsewhere in the list) and the median of each is reported,
# because this machine is shared and noisy. Any answer but 200 — or a socket error, or a timeout — fails the run.
#
#   bash test/TokenAuth.Benchmarks/load.sh [--quick] [--duration S] [--rounds N] [--connections N] [--threads N]
#                                          [--redis HOST:PORT | --no-redis] [--retry-noisy PCT]
#
#   --quick            3 s per endpoint, a short warm-up, no uncached introspection: under two minutes here (2 cores)
#   --duration S       seconds per endpoint and round (default 10)
#   --rounds N         rounds (default 3)
#   --connections N    wrk connections (default 32; --connections 256 is the crowded variant)
#   --redis HOST:PORT  the Redis of the Redis rows; by default a redis-server is started on a free loopback port
#   --no-redis         no Redis rows
#   --retry-noisy PCT  make a run again (twice at most; the quietest attempt counts) when other processes took more
#                      than PCT % of the machine's CPU during it — see the last column; off by default
#
# The Redis rows come from a second instance of the same app started with --redis: AddTokenAuthRedisStore is a
# registration for the whole process (store and validation cache), as in a real host, so one process cannot hold both.
set -euo pipefail
cd "$(dirname "$0")/../.."

command_line="bash test/TokenAuth.Benchmarks/load.sh${*:+ $*}"
duration=10; rounds=3; connections=32; threads=2; warmup=5; redis=""; use_redis=1; retry_noisy=-1; quick=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) quick=1; duration=3; warmup=3 ;;
    --duration) duration=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --connections) connections=$2; shift ;;
    --threads) threads=$2; shift ;;
    --redis) redis=$2; shift ;;
    --no-redis) use_redis=0 ;;
    --retry-noisy) retry_noisy=$2; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
started_at=$SECONDS
loadavg=$(cut -d' ' -f1-3 /proc/loadavg)

tmp=$(mktemp -d)
pids=(); redis_pid=""
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "load.sh: $*" >&2; exit 1; }

echo "building (Release)…" >&2
dotnet build -c Release test/TokenAuth.Benchmarks -v q -nologo >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; fail "build failed"; }
dll=test/TokenAuth.Benchmarks/bin/Release/net10.0/TokenAuth.Benchmarks.dll

# Free loopback ports, chosen together so that they differ.
read -r port redis_app_port redis_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')

if [[ $use_redis == 1 && -z $redis ]]; then
  if command -v redis-server >/dev/null; then
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$tmp/redis.log" 2>&1 &
    pids+=($!); redis_pid=$!
    redis="127.0.0.1:$redis_port"
    for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
    redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG || { cat "$tmp/redis.log" >&2; fail "redis-server did not start"; }
  else
    echo "redis-server is not installed: no Redis rows (--redis HOST:PORT to use another)" >&2
    use_redis=0
  fi
fi

# Server GC, as the Web SDK gives every ASP.NET Core app (this project is a console one, for BenchmarkDotNet).
start_app() { # name port [redis]
  local name=$1 app_port=$2
  DOTNET_gcServer=1 dotnet "$dll" serve --urls "http://127.0.0.1:$app_port" ${3:+--redis "$3"} >"$tmp/$name.log" 2>&1 &
  pids+=($!); app_pid=$!
  local pid=$!
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$app_port/anon" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$tmp/$name.log" >&2
  fail "the $name load target did not start"
}
declare -A measured
start_app memory "$port"
measured[memory]=$app_pid
instances=(memory)
if [[ $use_redis == 1 ]]; then
  start_app redis "$redis_app_port" "$redis"
  measured[redis]="$app_pid $redis_pid"
  instances+=(redis)
fi

# The endpoints: label, instance, path. The uncached store in memory is the in-memory store (it has no cache), so it is
# measured only in Redis, where it means one GET per request. The uncached introspection, a loopback call to this same
# process per request, says what the cache saves; the quick mode leaves it out to stay under two minutes.
endpoints=(
  "/anon memory /anon"
  "/floor memory /floor"
  "/jwtbearer memory /jwtbearer"
  "/tokenauth/jwt memory /tokenauth/jwt"
  "/tokenauth/store memory /tokenauth/store"
  "/tokenauth/introspect memory /tokenauth/introspect"
)
[[ $quick == 1 ]] || endpoints+=("/tokenauth/introspect/uncached memory /tokenauth/introspect/uncached")
[[ $use_redis == 1 ]] && endpoints+=(
  "redis:/tokenauth/store redis /tokenauth/store"
  "redis:/tokenauth/store/uncached redis /tokenauth/store/uncached"
  "redis:/tokenauth/introspect redis /tokenauth/introspect"
)

declare -A base token size
base[memory]="http://127.0.0.1:$port"; base[redis]="http://127.0.0.1:$redis_app_port"
for instance in "${instances[@]}"; do
  curl -fs "${base[$instance]}/tokens" >"$tmp/tokens-$instance.json" || fail "no tokens from the $instance load target"
done

# Each endpoint once, by hand: exactly 200 and the body every endpoint shares; its size on the wire is what every
# response of the run must have (a 3xx or another body would pass wrk's own error count, which starts at 400).
for entry in "${endpoints[@]}"; do
  read -r label instance path <<<"$entry"
  t=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$tmp/tokens-$instance.json" "$path")
  token[$label]=$t
  size[$label]=$(python3 - "${base[$instance]}" "$path" "$t" <<'PY'
import socket, sys, urllib.parse
url, path, token = urllib.parse.urlsplit(sys.argv[1]), sys.argv[2], sys.argv[3]
request = f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\n" + (f"Authorization: Bearer {token}\r\n" if token else "") + "\r\n"
with socket.create_connection((url.hostname, url.port), timeout=10) as s:
    s.sendall(request.encode())
    data = b""
    def complete():
        head, found, body = data.partition(b"\r\n\r\n")
        if not found: return False
        if b"transfer-encoding: chunked" in head.lower(): return body.endswith(b"0\r\n\r\n")
        length = [int(l.split(b":")[1]) for l in head.lower().split(b"\r\n") if l.startswith(b"content-length:")]
        return len(body) >= (length[0] if length else 0)
    while not complete():
        chunk = s.recv(65536)
        if not chunk: break
        data += chunk
head, _, body = data.partition(b"\r\n\r\n")
expected = b"ok anonymous" if path == "/anon" else b"ok user-0001"
if not head.startswith(b"HTTP/1.1 200 ") or expected not in body:
    sys.exit(f"{path}: {head.splitlines()[0].decode() if head else 'no answer'} {body[:200]!r}")
print(len(data))
PY
) || fail "$label does not answer 200 '$( [[ $path == /anon ]] && echo ok anonymous || echo ok user-0001 )'"
done

# wrk's own summary, read in its done hook: the p99 comes from the histogram --latency prints, in microseconds.
cat >"$tmp/measure.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %.0f %.0f %d %d %d %d %d\n", summary.requests, summary.duration, summary.bytes,
    latency:percentile(99), latency:percentile(50), e.connect, e.read, e.write, e.status, e.timeout))
end
LUA

# Warm-up: every endpoint of an instance in turn, request by request, so that each path is jitted, tiered and cached
# (the introspection answers are in memory after their first request) before anything is measured.
for instance in "${instances[@]}"; do
  {
    # Made in init: wrk sets the Host header only when the thread starts.
    echo "local requests = {}"
    echo "init = function(args)"
    for entry in "${endpoints[@]}"; do
      read -r label inst path <<<"$entry"
      [[ $inst == "$instance" ]] || continue
      if [[ -n ${token[$label]} ]]; then
        echo "table.insert(requests, wrk.format('GET', '$path', { Authorization = 'Bearer ${token[$label]}' }))"
      else
        echo "table.insert(requests, wrk.format('GET', '$path'))"
      fi
    done
    echo "end"
    echo "local i = 0"
    echo "request = function() i = i % #requests + 1; return requests[i] end"
    sed -n '/^done/,$p' "$tmp/measure.lua"
  } >"$tmp/warmup-$instance.lua"
  echo "warm-up: $instance, ${warmup}s" >&2
  out=$(wrk -t"$threads" -c"$connections" -d"${warmup}s" -s "$tmp/warmup-$instance.lua" "${base[$instance]}/") || fail "wrk failed during the warm-up"
  read -r _ _ _ _ _ _ connect rd wr status timeout <<<"$(grep '^RESULT' <<<"$out")"
  (( status == 0 && connect + rd + wr + timeout == 0 )) || fail "warm-up of $instance: $status answers ≥ 400, errors connect $connect read $rd write $wr timeout $timeout"
done

# CPU ticks (1/CLK_TCK s): the machine's (user, nice, system, steal — not interrupts, which are partly our own loopback
# traffic), every process this script started, its finished children (wrk), and the processes a row measures (its load
# target, and the redis-server this script started for a Redis row). Machine minus ours is what other processes took
# during a run: the interference of a shared machine, reported beside each round. The measured processes' ticks per
# request are the server's CPU cost of a request, which that interference changes far less than it changes req/s.
proc_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
ticks() {
  local ours=0 measured=0 pid
  for pid in "${pids[@]}"; do ours=$(( ours + $(proc_ticks "$pid") )); done
  for pid in "$@"; do measured=$(( measured + $(proc_ticks "$pid") )); done
  echo "$(awk '/^cpu / { print $2 + $3 + $4 + $9 }' /proc/stat) $ours $(awk '{ print $16 + $17 }' "/proc/$$/stat") $measured $EPOCHREALTIME"
}
hz=$(getconf CLK_TCK); cores=$(nproc)

# Measure: rounds × endpoints, each round rotated so that no endpoint always follows the same one.
count=${#endpoints[@]}
repeated=0
: >"$tmp/results"
for round in $(seq 1 "$rounds"); do
  offset=$(( (round - 1) * count / rounds ))
  for k in $(seq 0 $((count - 1))); do
    read -r label instance path <<<"${endpoints[$(( (k + offset) % count ))]}"
    args=(-t"$threads" -c"$connections" -d"${duration}s" -s "$tmp/measure.lua")
    [[ -n ${token[$label]} ]] && args+=(-H "Authorization: Bearer ${token[$label]}")
    # With --retry-noisy, a run during which other processes took more CPU than allowed is made again (twice at most),
    # and the quietest attempt kept.
    best=""; attempts=0
    while :; do
      attempts=$((attempts + 1))
      read -r busy0 ours0 children0 measured0 wall0 <<<"$(ticks ${measured[$instance]})"
      read -r alloc0 gen00 gen10 gen20 pause0 _ <<<"$(curl -fs "${base[$instance]}/stats")"
      out=$(wrk "${args[@]}" "${base[$instance]}$path") || fail "wrk failed on $label"
      read -r alloc1 gen01 gen11 gen21 pause1 pool <<<"$(curl -fs "${base[$instance]}/stats")"
      read -r busy1 ours1 children1 measured1 wall1 <<<"$(ticks ${measured[$instance]})"
      others=$(awk -v b=$((busy1 - busy0)) -v o=$((ours1 - ours0 + children1 - children0)) -v a="$wall0" -v z="$wall1" \
        -v hz="$hz" -v n="$cores" 'BEGIN { x = (b - o) / ((z - a) * hz * n) * 100; printf "%.0f", x < 0 ? 0 : x }')
      read -r _ requests micros bytes p99 p50 connect rd wr status timeout <<<"$(grep '^RESULT' <<<"$out")"
      run="$others $requests $micros $bytes $p99 $p50 $connect $rd $wr $status $timeout $((measured1 - measured0))"
      run+=" $((alloc1 - alloc0)) $((gen01 - gen00)) $((gen11 - gen10)) $((gen21 - gen20)) $((pause1 - pause0)) $pool"
      [[ -z $best || $others -lt ${best%% *} ]] && best=$run
      (( retry_noisy < 0 || others <= retry_noisy || attempts >= 3 )) && break
      echo "[round $round/$rounds] $label: other processes took $others % CPU, again" >&2
    done
    (( attempts == 1 )) || repeated=$((repeated + 1))
    read -r others requests micros bytes p99 p50 connect rd wr status timeout cpu alloc gen0 gen1 gen2 pause pool <<<"$best"
    (( status == 0 )) || fail "$label answered $status of $requests requests with a status ≥ 400 (round $round)"
    (( connect + rd + wr + timeout == 0 )) || fail "$label: socket errors connect $connect read $rd write $wr timeout $timeout (round $round)"
    s=${size[$label]}
    # Every complete response has the checked size; at most one partial response per connection when time is up.
    (( bytes >= requests * s && bytes <= (requests + connections) * s )) \
      || fail "$label: $bytes bytes for $requests responses of $s bytes: some answers were not the checked 200 (round $round)"
    echo "$label $round $requests $micros $p99 $p50 $others $cpu $alloc $gen0 $gen1 $gen2 $pause $pool" >>"$tmp/results"
    awk -v r="$round/$rounds" -v l="$label" -v n="$requests" -v us="$micros" -v p="$p99" -v x="$others" -v c="$cpu" -v hz="$hz" \
      'BEGIN { printf "[round %s] %-32s %8.0f req/s  p99 %6.2f ms  %5.1f µs CPU/request  other processes %3d %% CPU\n", r, l, n / (us / 1e6), p / 1000, c * 1e6 / hz / n, x }' >&2
  done
done

# Still 200 at the end, and nothing logged above Warning.
for entry in "${endpoints[@]}"; do
  read -r label instance path <<<"$entry"
  code=$(curl -s -o /dev/null -w '%{http_code}' ${token[$label]:+-H "Authorization: Bearer ${token[$label]}"} "${base[$instance]}$path")
  [[ $code == 200 ]] || fail "$label answers $code after the run"
done
for instance in "${instances[@]}"; do
  if grep -E '^(fail|crit):' "$tmp/$instance.log" >&2; then fail "the $instance load target logged errors (above)"; fi
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src test 2>/dev/null || echo "+uncommitted")
echo "machine: $(nproc) cores, $cpu; $(date -u '+%Y-%m-%d %H:%M UTC'); commit $commit; load average before the run $loadavg"
echo "command: $command_line"
echo "wrk -t$threads -c$connections, ${duration}s per endpoint, $rounds rounds interleaved, ${warmup}s warm-up per instance; medians; server GC; loopback$(
  (( retry_noisy >= 0 )) && echo "; runs with other processes above $retry_noisy % CPU made again: $repeated of $((count * rounds))")"
echo
python3 - "$tmp/results" "$hz" <<'PY'
import statistics, sys
hz = int(sys.argv[2])
runs = {}
for line in open(sys.argv[1]):
    label, _, requests, micros, p99, _, others, cpu, alloc, gen0, gen1, gen2, pause, pool = line.split()
    n, seconds = int(requests), int(micros) / 1e6
    runs.setdefault(label, []).append({
        "rps": n / seconds, "p99": int(p99) / 1000, "others": int(others), "cpu": int(cpu) * 1e6 / hz / n,
        "alloc": int(alloc) / n, "gcs": [int(g) * 10000 / n for g in (gen0, gen1, gen2)],
        "pause": int(pause) / 1e6 / seconds * 100, "pool": int(pool)})
def med(label, key): return statistics.median(r[key] for r in runs[label])
what = {
    "/anon": "no authentication",
    "/floor": "a scheme that does nothing: ASP.NET Core's own share",
    "/jwtbearer": "JwtBearer, RS256",
    "/tokenauth/jwt": "TokenAuth JWT, RS256",
    "/tokenauth/store": "TokenAuth store, in memory",
    "/tokenauth/introspect": "TokenAuth introspection, answer in memory",
    "/tokenauth/introspect/uncached": "TokenAuth introspection, one call per request (same process)",
    "redis:/tokenauth/store": "TokenAuth store in Redis, hit kept in memory (30 s, default)",
    "redis:/tokenauth/store/uncached": "TokenAuth store in Redis, one GET per request",
    "redis:/tokenauth/introspect": "TokenAuth introspection, memory + Redis L2",
}
anon_rps, anon_p99, anon_cpu = med("/anon", "rps"), med("/anon", "p99"), med("/anon", "cpu")
jwt_rps = med("/jwtbearer", "rps")
print("| endpoint | what | req/s | p99 ms | req/s ÷ /anon | p99 ÷ /anon | req/s ÷ /jwtbearer | req/s by round (spread) | p99 ms by round |")
print("|---|---|--:|--:|--:|--:|--:|---|---|")
for label, v in runs.items():
    rps, p99 = med(label, "rps"), med(label, "p99")
    rates = [r["rps"] for r in v]
    spread = (max(rates) - min(rates)) / rps * 100
    by_round = " / ".join(f"{r:,.0f}" for r in rates)
    p99_by_round = " / ".join(f"{r['p99']:.2f}" for r in v)
    print(f"| `{label}` | {what.get(label, '')} | {rps:,.0f} | {p99:.2f} | {rps / anon_rps:.2f} | {p99 / anon_p99:.2f} | {rps / jwt_rps:.2f} "
          f"| {by_round} (±{spread / 2:.0f} %) | {p99_by_round} |")
print()
print("Per request, on the server side (medians of the rounds): CPU of the load target (and of redis-server for a Redis row),")
print("bytes the load target allocated, its collections, the share of the run its GC pauses took, its thread-pool size at the")
print("end; and the CPU other processes took during each round.")
print()
print("| endpoint | CPU µs/request | CPU ÷ /anon | allocated B/request | GCs per 10k requests (gen0/1/2) | GC pauses, % of the run | pool threads | others' CPU % by round |")
print("|---|--:|--:|--:|--:|--:|--:|---|")
for label, v in runs.items():
    cpu = med(label, "cpu")
    gcs = "/".join(f"{statistics.median(r['gcs'][i] for r in v):.1f}" for i in range(3))
    others = " / ".join(str(r["others"]) for r in v)
    print(f"| `{label}` | {cpu:.1f} | {cpu / anon_cpu:.2f} | {med(label, 'alloc'):,.0f} | {gcs} | {med(label, 'pause'):.1f} | {med(label, 'pool'):.0f} | {others} |")
if "/tokenauth/store" in runs:
    rps, p99 = med("/tokenauth/store", "rps"), med("/tokenauth/store", "p99")
    def mark(ok): return "met" if ok else "NOT met"
    print()
    print(f"Targets for `/tokenauth/store`: req/s ≥ 0.90 × /anon: {rps / anon_rps:.2f} ({mark(rps / anon_rps >= 0.9)}); "
          f"p99 ≤ 1.5 × /anon: {p99 / anon_p99:.2f} ({mark(p99 / anon_p99 <= 1.5)}); "
          f"req/s ≥ 1.5 × /jwtbearer: {rps / jwt_rps:.2f} ({mark(rps / jwt_rps >= 1.5)}).")
PY
echo
echo "wall time: $(( SECONDS - started_at )) s" >&2
