#!/usr/bin/env bash
# Load test of the sample on Kestrel, loopback only, bounded in time. Baseline: the anonymous endpoint of the same
# process in the same run; every other endpoint is reported as a ratio to it. The endpoints are interleaved over
# several rounds and the median of each is reported, because this machine is shared and noisy.
#   bash test/TokenAuth.Benchmarks/wrk.sh [seconds=10] [connections=32] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}; connections=${2:-32}; rounds=${3:-3}; port=5099; url="http://127.0.0.1:$port"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)"; exit 1; }
dotnet build -c Release src/TokenAuth.Sample -v q -nologo >/dev/null
# Run from the output folder: the content root (appsettings.json) is the working directory.
(cd src/TokenAuth.Sample/bin/Release/net10.0 && exec env Logging__LogLevel__Default=Warning dotnet TokenAuth.Sample.dll --urls "$url") >/tmp/tokenauth-wrk-sample.log 2>&1 &
pid=$!; trap 'kill $pid 2>/dev/null; rm -f "$issue_lua"' EXIT
for _ in $(seq 1 100); do curl -fs "$url/api/public" >/dev/null && break; sleep 0.1; done
token=$(curl -fs -X POST "$url/oauth/token" -d grant_type=client_credentials -d client_id=demo-client -d client_secret=demo-secret \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

# Issuance: client_credentials for service-client, whose generated secret is verified by SHA-256 (the demo secret
# is in appsettings.json as its hash; a human-chosen secret would cost one ~20 ms PBKDF2 check per request).
issue_lua=$(mktemp --suffix=.lua)
cat >"$issue_lua" <<'LUA'
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&client_id=service-client&client_secret=JL0qIeVLjuT72IZ-sjzAGeOhm61xQ_Vcvxr6qcZfsrs"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
done = function(summary, latency, requests)
  if summary.errors.status > 0 then io.stderr:write("non-2xx answers: " .. summary.errors.status .. "\n") end
end
LUA
curl -fs -X POST "$url/oauth/token" -d grant_type=client_credentials -d client_id=service-client -d client_secret=JL0qIeVLjuT72IZ-sjzAGeOhm61xQ_Vcvxr6qcZfsrs >/dev/null \
  || { echo "service-client cannot get a token"; exit 1; }

rps() { wrk -t2 -c"$connections" -d"${seconds}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
rps -d2s "$url/api/public" >/dev/null   # warm-up
results=()
for round in $(seq 1 "$rounds"); do
  results+=("anon $(rps "$url/api/public")")
  results+=("bearer $(rps -H "Authorization: Bearer $token" "$url/api/me")")
  results+=("query $(rps "$url/api/me?access_token=$token")")
  results+=("issue $(rps -s "$issue_lua" "$url/oauth/token")")
done
printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
runs = {}
for line in sys.stdin:
    name, value = line.split()
    runs.setdefault(name, []).append(float(value))
median = {k: statistics.median(v) for k, v in runs.items()}
base = median["anon"]
labels = {"anon": "anonymous GET /api/public", "bearer": "Bearer    GET /api/me", "query": "query     GET /api/me?access_token=", "issue": "issuance  POST /oauth/token (client_credentials)"}
for key in ["anon", "bearer", "query", "issue"]:
    rounds = " ".join(f"{v:.0f}" for v in runs[key])
    print(f"{labels[key]:50} {median[key]:9.0f} req/s  ratio {median[key]/base:.2f}   rounds: {rounds}")
'
