#!/usr/bin/env bash
# Soak of the sample app (src/TokenAuth.Sample, Release) with its tokens in Redis, under wrk, loopback only: a mix of
# valid, invalid, sudo and tenant requests for 10 minutes (--quick: 60 s) at 256 connections, after a warm-up. The
# tokens are issued by the sample's own /oauth/token at the start; the records are the demo ones of its appsettings.json.
# Every request kind has the status it must get and a fragment its body must contain (soak.lua checks each answer).
# Every interval (10 s) it records wrk's socket errors, the answers not as expected, p50/p99 latency, the sample's threads
# and CPU, and its working set: VmRSS of /proc/<pid>/status and its anonymous, file and shared parts (the runtime maps
# JIT-compiled code as shared memory), each the median of readings taken once a second. Then a table and a verdict line.
#
#   bash test/TokenAuth.Benchmarks/soak.sh [--quick] [--duration S] [--interval S] [--warmup S] [--connections N]
#                                          [--redis HOST:PORT] [--max-growth PCT] [--samples FILE]
#
#   --quick            60 s measured, 10 s warm-up
#   --duration S       seconds measured (default 600)
#   --interval S       seconds per sample (default 10); each sample is one wrk run of that length
#   --warmup S         seconds of the same load before the first sample (default 30), checked but not sampled
#   --connections N    wrk connections, each on its own wrk thread (default 256)
#   --redis HOST:PORT  an existing Redis (its data is left alone but gets the sample's keys); by default a
#                      redis-server is started on a free loopback port, without persistence
#   --max-growth PCT   working-set target (default 5): growth over the last half of the measured time
#   --samples FILE     also write the samples there (tab-separated, with a header line), and FILE.readings the
#                      once-a-second working-set readings
#
# Targets, each a reason for a non-zero exit: 0 socket errors (connect, read, write, timeout: wrk's 2 s), 0 answers
# with an unexpected status or body, and a working set flat after the warm-up: the least-squares line through the
# readings of the last half of the measured time rises by less than --max-growth % across it. Also failing: a request that
# does not answer as expected when checked by hand before and after the load, and anything the sample logs at
# fail or crit level (it runs at Warning: the default Information would log a line per refused request).
set -euo pipefail
self=$(realpath "$0")
cd "$(dirname "$0")/../.."

command_line="bash test/TokenAuth.Benchmarks/soak.sh${*:+ $*}"
duration=600; interval=10; warmup=30; connections=256; redis=""; max_growth=5; samples_out=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) duration=60; warmup=10 ;;
    --duration) duration=$2; shift ;;
    --interval) interval=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --connections) connections=$2; shift ;;
    --redis) redis=$2; shift ;;
    --max-growth) max_growth=$2; shift ;;
    --samples) samples_out=$2; shift ;;
    -h|--help) sed -n '2,28p' "$self" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
(( duration >= 2 * interval )) || { echo "--duration must be at least two intervals" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
[[ -n $redis ]] || command -v redis-server >/dev/null || { echo "redis-server is not installed (apt-get install -y redis-server)" >&2; exit 1; }
started_at=$SECONDS
loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
lua=$PWD/test/TokenAuth.Benchmarks/soak.lua

tmp=$(mktemp -d)
pids=(); memory_pid=""
cleanup() {
  local pid
  [[ -z $memory_pid ]] || kill "$memory_pid" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "soak.sh: $*" >&2; exit 1; }

echo "building the sample (Release)…" >&2
dotnet build -c Release src/TokenAuth.Sample -v q -nologo >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; fail "build failed"; }

read -r port redis_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')

if [[ -z $redis ]]; then
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$tmp/redis.log" 2>&1 &
  pids+=($!)
  redis="127.0.0.1:$redis_port"
  for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG || { cat "$tmp/redis.log" >&2; fail "redis-server did not start"; }
fi
redis_host=${redis%:*}; redis_port=${redis##*:}

# The sample as its README runs it, from its output folder (the content root, where appsettings.json is), with its
# tokens and grants in Redis (ConnectionStrings:Redis). $! is the dotnet process itself: the subshell execs it.
url="http://127.0.0.1:$port"
(cd src/TokenAuth.Sample/bin/Release/net10.0 && exec env ConnectionStrings__Redis="$redis" Logging__LogLevel__Default=Warning \
  dotnet TokenAuth.Sample.dll --urls "$url") >"$tmp/sample.log" 2>&1 &
pids+=($!); app_pid=$!
for _ in $(seq 1 300); do
  curl -fs "$url/api/public" >/dev/null 2>&1 && break
  kill -0 "$app_pid" 2>/dev/null || { cat "$tmp/sample.log" >&2; fail "the sample exited"; }
  sleep 0.1
done
curl -fs "$url/api/public" >/dev/null || { cat "$tmp/sample.log" >&2; fail "the sample did not start"; }
[[ $(cat "/proc/$app_pid/comm") == dotnet ]] || fail "pid $app_pid is not the sample's dotnet process"

# Tokens from the sample's own token endpoint (client_credentials; demo records of appsettings.json).
issue() { # client secret [scope]
  curl -fs -X POST "$url/oauth/token" -d grant_type=client_credentials -d client_id="$1" -d client_secret="$2" ${3:+-d scope="$3"} \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' || fail "no token for $1"
}
demo=$(issue demo-client demo-secret)                                      # read write
reader=$(issue demo-client demo-secret read)                               # read only
admin=$(issue admin-client admin-secret)                                   # read write sudo
service=$(issue service-client JL0qIeVLjuT72IZ-sjzAGeOhm61xQ_Vcvxr6qcZfsrs) # read; its secret is checked by SHA-256
invalid="soak-invalid-$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"   # the shape of one, issued by no one
[[ $(redis-cli -h "$redis_host" -p "$redis_port" --scan --pattern 'tokenauth:at:*' | wc -l) -ge 4 ]] || fail "the tokens are not in Redis"

# The requests: name, expected status, weight, body fragment ("" for none), method, path, then "Header: value"
# arguments and at most one "body=…" (sent form-urlencoded). Weights: about a third valid, a fifth invalid or
# refused, a quarter sudo, a fifth tenant.
kinds=()
declare -A k_status k_weight k_marker k_method k_path k_args
req() {
  local name=$1; kinds+=("$name")
  k_status[$name]=$2; k_weight[$name]=$3; k_marker[$name]=$4; k_method[$name]=$5; k_path[$name]=$6
  shift 6
  k_args[$name]=$(printf '%s\n' "$@")
}
B="Authorization: Bearer"
req valid-bearer            200 4 '"subject":"demo-client"'       GET  "/api/me"                                  "$B $demo"
req valid-access-token      200 2 '"subject":"service-client"'    GET  "/api/me"                                  "Access-Token: $service"
req valid-query             200 1 '"tokenSource":"query"'         GET  "/api/me?access_token=$demo"
req valid-form              200 1 '"tokenSource":"form"'          POST "/api/me"                                  "body=access_token=$demo"
req valid-controller        200 1 '"subject":"demo-client"'       GET  "/api/profile"                             "$B $demo"
req anonymous               200 1 'Anyone may read this.'         GET  "/api/public"
req invalid-token           401 3 '"error":"invalid_token"'       GET  "/api/me"                                  "$B $invalid"
req no-token                401 1 'An access token is required.' GET  "/api/me"
req two-tokens              400 1 '"error":"invalid_request"'     GET  "/api/me?access_token=$reader"           "$B $demo"
req scope-missing           403 1 '"error":"insufficient_scope"'  PUT  "/api/profile"                             "$B $reader"
req sudo-uid                200 2 '"subject":"1002"'              GET  "/api/me?sudo=uid:1002"                    "$B $admin"
req sudo-header             200 1 '"name":"Alice","clientId"'     GET  "/api/me"                                  "$B $admin" "Sudo: loginName:alice"
req sudo-email              200 1 '"subject":"1002"'              GET  "/api/me?sudo=email:bob@example.com"       "$B $admin"
req sudo-without-scope      403 1 '"error":"insufficient_scope"'  GET  "/api/me?sudo=uid:1001"                    "$B $demo"
req sudo-unknown-user       404 1 "User with uid"                 GET  "/api/me?sudo=uid:9999"                    "$B $admin"
req sudo-refused-user       403 1 '"error":"access_denied"'       GET  "/api/me?sudo=uid:1"                       "$B $admin"
req sudo-malformed          400 1 '"error":"invalid_request"'     GET  "/api/me?sudo=phone:1"                     "$B $admin"
req tenant-sudo             200 2 '"name":"Alice of Globex"'      GET  "/api/me?sudo=uid:1001&tenantId=t-200"   "$B $admin"
req tenant-code             200 1 '"tenantCode":"acme"'           GET  "/api/tenant/me?tenantCode=acme"           "$B $admin"
req tenant-required         403 1 '"title":"Forbidden"'           GET  "/api/tenant/me"                           "$B $admin"
req tenant-unknown          404 1 '"error":"not_found"'           GET  "/api/me?tenantCode=nope"                  "$B $admin"
req tenant-not-allowed      403 1 '"error":"access_denied"'       GET  "/api/me?tenantId=t-100"                   "$B $demo"
req tenant-conflict         400 1 '"error":"invalid_request"'     GET  "/api/me?tenantId=t-100&tenantCode=globex" "$B $admin"

# The same definitions as a Lua table for soak.lua (long strings: no escaping), and checked by hand with curl.
lua_string() { printf '[==[%s]==]' "$1"; }
{
  echo "return {"
  for name in "${kinds[@]}"; do
    headers="" body="nil"
    while IFS= read -r a; do
      [[ -z $a ]] && continue
      if [[ $a == body=* ]]; then
        body=$(lua_string "${a#body=}")
        headers+="[ [==[Content-Type]==] ] = [==[application/x-www-form-urlencoded]==], "
      else
        headers+="[ $(lua_string "${a%%: *}") ] = $(lua_string "${a#*: }"), "
      fi
    done <<<"${k_args[$name]}"
    echo "  { name = $(lua_string "$name"), status = ${k_status[$name]}, weight = ${k_weight[$name]}," \
      "marker = $(lua_string "${k_marker[$name]}"), method = $(lua_string "${k_method[$name]}"), path = $(lua_string "${k_path[$name]}")," \
      "headers = { $headers}, body = $body },"
  done
  echo "}"
} >"$tmp/requests.lua"

check_by_hand() { # when — prints what did not answer as expected
  local name a code
  for name in "${kinds[@]}"; do
    local args=(-s -o "$tmp/body" -w '%{http_code}' -X "${k_method[$name]}")
    while IFS= read -r a; do
      [[ -z $a ]] && continue
      if [[ $a == body=* ]]; then args+=(--data-raw "${a#body=}"); else args+=(-H "$a"); fi
    done <<<"${k_args[$name]}"
    code=$(curl "${args[@]}" "$url${k_path[$name]}") || { echo "$name: curl failed ($1)"; continue; }
    if [[ $code != "${k_status[$name]}" ]]; then echo "$name answers $code, not ${k_status[$name]} ($1): $(head -c 300 "$tmp/body")"
    elif ! grep -qF -- "${k_marker[$name]}" "$tmp/body"; then echo "$name: the body lacks '${k_marker[$name]}' ($1): $(head -c 300 "$tmp/body")"; fi
  done
}
before=$(check_by_hand "before the load"); [[ -z $before ]] || fail "$before"

hz=$(getconf CLK_TCK)
app_ticks() { awk '{ print $14 + $15 }' "/proc/$app_pid/stat"; }
vm() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$app_pid/status"; }
redis_memory() { redis-cli -h "$redis_host" -p "$redis_port" info memory | awk -F: '/^used_memory:/ { printf "%d", $2 }'; }

# One wrk run of S seconds; appends "label t requests µs p50 p99 max connect read write timeout answered
# unexpected-status unexpected-body rss-kB threads cpu-% redis-bytes anon-kB file-kB shmem-kB (medians of the readings)
# rss-min-kB rss-max-kB readings" to the samples, KIND and SEEN lines to the kinds.
seed=0
run() { # label seconds
  seed=$((seed + 1))
  local ticks0 wall0 out
  ticks0=$(app_ticks); wall0=$EPOCHREALTIME
  # The memory figures, once a second while wrk runs: one reading is wherever the GC happens to be (its committed
  # memory moves by ±5 MB between readings while the heap stays flat), so a sample is the median of its readings.
  : >"$tmp/memory"
  (while kill -0 "$app_pid" 2>/dev/null; do
     awk -v now="$EPOCHREALTIME" '$1 ~ /^(VmRSS|RssAnon|RssFile|RssShmem):$/ { v[$1] = $2 }
       END { print now, v["VmRSS:"], v["RssAnon:"], v["RssFile:"], v["RssShmem:"] }' "/proc/$app_pid/status" >>"$tmp/memory" 2>/dev/null
     sleep 1
   done) &
  memory_pid=$!
  out=$(wrk -t"$connections" -c"$connections" -d"${2}s" -s "$lua" "$url/" -- "$tmp/requests.lua" "$seed" 2>&1) \
    || { echo "$out" >&2; fail "wrk failed ($1)"; }
  kill "$memory_pid" 2>/dev/null; wait "$memory_pid" 2>/dev/null || true; memory_pid=""
  kill -0 "$app_pid" 2>/dev/null || { tail -50 "$tmp/sample.log" >&2; fail "the sample exited ($1)"; }
  local result cpu
  result=$(grep '^RESULT' <<<"$out") || { echo "$out" >&2; fail "no result from wrk ($1)"; }
  cpu=$(awk -v t="$(( $(app_ticks) - ticks0 ))" -v a="$wall0" -v z="$EPOCHREALTIME" -v hz="$hz" 'BEGIN { printf "%.0f", t / hz / (z - a) * 100 }')
  local memory
  memory=$(python3 -c '
import statistics, sys
r = [list(map(int, l.split()[1:])) for l in open(sys.argv[1]) if len(l.split()) == 5]
m = [int(statistics.median(x[i] for x in r)) for i in range(4)]
print(m[0], m[1], m[2], m[3], min(x[0] for x in r), max(x[0] for x in r), len(r))' "$tmp/memory") || fail "no memory readings ($1)"
  read -r rss anon file shmem rss_min rss_max readings <<<"$memory"
  awk -v l="$1" 'NF == 5 { print l, $1, $2 }' "$tmp/memory" >>"$tmp/readings"
  echo "$1 $(( SECONDS - load_started_at )) ${result#RESULT } $rss $(vm Threads) $cpu $(redis_memory) $anon $file $shmem $rss_min $rss_max $readings" >>"$tmp/samples"
  grep -E '^(KIND|SEEN) ' <<<"$out" | sed "s/^/$1 /" >>"$tmp/kinds" || true
  read -r _ _ requests micros _ p99 _ connect rd wr timeout _ bad_status bad_body _ <<<"$(tail -1 "$tmp/samples")"
  awk -v l="$1" -v n="$requests" -v us="$micros" -v p="$p99" -v e=$((connect + rd + wr + timeout)) -v s="$bad_status" -v b="$bad_body" \
    -v rss="$rss" -v c="$cpu" \
    'BEGIN { printf "[%s] %7.0f req/s  p99 %7.2f ms  errors %d  unexpected %d status, %d body  working set %6.1f MB  CPU %3d %%\n", l, n / (us / 1e6), p / 1000, e, s, b, rss / 1024, c }' >&2
}

: >"$tmp/samples"; : >"$tmp/kinds"; : >"$tmp/readings"
load_started_at=$SECONDS
rss_start=$(vm VmRSS)
echo "warm-up: ${warmup}s at $connections connections (working set before: $(( rss_start / 1024 )) MB)" >&2
run warm-up "$warmup"
count=$(( duration / interval ))
for i in $(seq 1 "$count"); do run "$i" "$interval"; done
after=$(check_by_hand "after the load"); [[ -z $after ]] || echo "$after" >&2
after_count=$(grep -c . <<<"$after" || true)
log_errors=$(grep -cE '^(fail|crit):' "$tmp/sample.log" || true)
log_warnings=$(grep -cE '^warn:' "$tmp/sample.log" || true)
(( log_errors == 0 )) || grep -E -A3 '^(fail|crit):' "$tmp/sample.log" | head -40 >&2

[[ -z $samples_out ]] || {
  echo -e "sample\tt_s\trequests\twrk_us\tp50_us\tp99_us\tmax_us\tconnect\tread\twrite\ttimeout\tanswered\tunexpected_status\tunexpected_body\tvmrss_kb\tthreads\tcpu_pct\tredis_used_memory\trss_anon_kb\trss_file_kb\trss_shmem_kb\tvmrss_min_kb\tvmrss_max_kb\treadings"
  tr ' ' '\t' <"$tmp/samples"
} >"$samples_out"
[[ -z $samples_out ]] || { echo -e "sample\tepoch_s\tvmrss_kb"; tr ' ' '\t' <"$tmp/readings"; } >"$samples_out.readings"

cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
commit=$(git rev-parse --short HEAD)$([[ -z $(git status --porcelain -- src test 2>/dev/null) ]] || echo "+uncommitted")
echo "machine: $(nproc) cores, $cpu_model, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo); $(dotnet --version 2>/dev/null | sed 's/^/.NET SDK /'); $(date -u '+%Y-%m-%d %H:%M UTC'); commit $commit; load average before the run $loadavg"
echo "command: $command_line"
echo "wrk -t$connections -c$connections (one connection per thread), ${interval}s per sample, ${warmup}s warm-up; the sample (Release, server GC) with redis-server $(redis-server --version 2>/dev/null | grep -o 'v=[0-9.]*' | cut -c3-) on loopback; log level Warning; ${#kinds[@]} request kinds; wall time $(( SECONDS - started_at )) s"
echo
python3 - "$tmp/samples" "$tmp/kinds" "$max_growth" "$rss_start" "$log_errors" "$log_warnings" "$after_count" "$tmp/readings" <<'PY'
import sys
samples_file, kinds_file, max_growth, rss_start, log_errors, log_warnings, after = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
series = [(float(t), int(kb) / 1024) for label, t, kb in (l.split() for l in open(sys.argv[8])) if label != "warm-up"]
rows = []
for line in open(samples_file):
    f = line.split()
    label, t, n, us, p50, p99, mx, c, r, w, to, answered, bs, bb, rss, threads, cpu, redis, anon, file, shmem, rss_min, rss_max, readings = f[0], *map(int, f[1:24])
    rows.append(dict(label=label, t=t, n=n, rps=n / (us / 1e6), p50=p50 / 1000, p99=p99 / 1000, max=mx / 1000,
                     errors=c + r + w + to, detail=(c, r, w, to), answered=answered, status=bs, body=bb,
                     rss=rss / 1024, anon=anon / 1024, file=file / 1024, shmem=shmem / 1024, rss_min=rss_min / 1024, rss_max=rss_max / 1024, threads=threads, cpu=cpu, redis=redis / 1048576))
print("| sample | t s (end) | requests | req/s | p50 ms | p99 ms | max ms | errors | unexpected status | unexpected body | working set MB (min–max) | anon | file | shmem | threads | CPU % | Redis MB |")
print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
for x in rows:
    print(f"| {x['label']} | {x['t']} | {x['n']:,} | {x['rps']:,.0f} | {x['p50']:.2f} | {x['p99']:.2f} | {x['max']:.0f} | {x['errors']} "
          f"| {x['status']} | {x['body']} | {x['rss']:.1f} ({x['rss_min']:.0f}–{x['rss_max']:.0f}) | {x['anon']:.1f} | {x['file']:.1f} | {x['shmem']:.1f} | {x['threads']} | {x['cpu']} | {x['redis']:.1f} |")

# Per kind, over the whole run (warm-up included).
kinds, seen = {}, {}
for line in open(kinds_file):
    f = line.split()
    if f[1] == "KIND":
        k = kinds.setdefault(f[2], [0, 0, 0])
        for i in range(3): k[i] += int(f[3 + i])
    else:
        seen[(f[2], f[3])] = seen.get((f[2], f[3]), 0) + int(f[4])
print()
print("| request kind | answers | unexpected status | unexpected body |")
print("|---|--:|--:|--:|")
for name, (n, s, b) in kinds.items():
    print(f"| {name} | {n:,} | {s} | {b} |")
for (name, status), n in sorted(seen.items()):
    print(f"unexpected: {name} answered {status} {n} times")

measured = [x for x in rows if x["label"] != "warm-up"]
total = sum(x["n"] for x in rows)
errors = sum(x["errors"] for x in rows)
detail = [sum(x["detail"][i] for x in rows) for i in range(4)]
bad_status = sum(x["status"] for x in rows)
bad_body = sum(x["body"] for x in rows)
p99s = sorted(x["p99"] for x in measured)
# The target: the least-squares line through every once-a-second reading of the last half of the measured time, its rise
# across that half as a share of its mean. The middle and last samples are shown too; one sample against another is
# at the mercy of where the GC's committed memory is (it wanders by ±5 MB over tens of seconds with a flat heap).
half = measured[(len(measured) - 1) // 2:]
mid, last = half[0]["rss"], half[-1]["rss"]
growth = (last - mid) / mid * 100
start, end = series[0][0], series[-1][0]
late = [(t, y) for t, y in series if t >= (start + end) / 2]
ts = [t for t, _ in late]; ys = [y for _, y in late]
mt, my = sum(ts) / len(ts), sum(ys) / len(ys)
slope = sum((t - mt) * (y - my) for t, y in zip(ts, ys)) / sum((t - mt) ** 2 for t in ts)
trend = slope * (ts[-1] - ts[0]) / my * 100
first = measured[0]["rss"]
print()
print(f"requests {total:,} (warm-up included), {sum(x['n'] for x in measured) / sum(x['n'] / x['rps'] for x in measured):,.0f} req/s over the measured samples; "
      f"p99 by sample: median {p99s[len(p99s) // 2]:.2f} ms, highest {p99s[-1]:.2f} ms; highest max {max(x['max'] for x in rows):.0f} ms")
print(f"socket errors {errors} (connect {detail[0]}, read {detail[1]}, write {detail[2]}, timeout {detail[3]}); "
      f"answers with an unexpected status {bad_status}, with an unexpected body {bad_body}; sample log: {log_errors} fail/crit, {log_warnings} warn")
print(f"working set: {rss_start / 1024:.1f} MB before the warm-up, {first:.1f} MB at the first sample, {mid:.1f} MB at the middle ({half[0]['label']}), "
      f"{last:.1f} MB at the last ({half[-1]['label']}), highest {max(x['rss'] for x in measured):.1f} MB; "
      f"middle to last sample {growth:+.1f} %; last half's trend (least squares, {len(late)} readings once a second) {trend:+.1f} %")
missed = []
if errors: missed.append(f"{errors} socket errors")
if bad_status: missed.append(f"{bad_status} unexpected statuses")
if bad_body: missed.append(f"{bad_body} unexpected bodies")
if trend >= max_growth: missed.append(f"working set grew over the last half (trend {trend:+.1f} %; target < {max_growth:g} %)")
if after: missed.append(f"{after} request kinds not as expected when checked by hand after the load")
if log_errors: missed.append(f"{log_errors} fail/crit lines in the sample's log")
if missed:
    print("verdict: FAIL — " + "; ".join(missed))
    sys.exit(1)
print(f"verdict: PASS — 0 socket errors, 0 unexpected statuses or bodies in {total:,} answers, working set flat after the warm-up "
      f"(trend over the last half {trend:+.1f} %; target < {max_growth:g} %)")
PY
