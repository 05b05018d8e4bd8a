#!/usr/bin/env bash
# Load test of the sample on Kestrel, loopback only, bounded in time. Baseline: the anonymous endpoint
# of the same process in the same run; the authenticated endpoint is reported as a ratio to it.
#   bash test/TokenAuth.Benchmarks/wrk.sh [seconds=10] [connections=32]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}; connections=${2:-32}; port=5099; url="http://127.0.0.1:$port"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)"; exit 1; }
dotnet build -c Release src/TokenAuth.Sample -v q -nologo >/dev/null
# Run from the output folder: the content root (appsettings.json) is the working directory.
(cd src/TokenAuth.Sample/bin/Release/net10.0 && exec env Logging__LogLevel__Default=Warning dotnet TokenAuth.Sample.dll --urls "$url") >/tmp/tokenauth-wrk-sample.log 2>&1 &
pid=$!; trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -fs "$url/api/public" >/dev/null && break; sleep 0.1; done
token=$(curl -fs -X POST "$url/oauth/token" -d grant_type=client_credentials -d client_id=demo-client -d client_secret=demo-secret \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
rps() { wrk -t2 -c"$connections" -d"${seconds}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
rps "$url/api/public" >/dev/null   # warm-up
base=$(rps "$url/api/public")
auth=$(rps -H "Authorization: Bearer $token" "$url/api/me")
query=$(rps "$url/api/me?access_token=$token")
python3 - "$base" "$auth" "$query" <<'PY'
import sys
base, auth, query = map(float, sys.argv[1:])
print(f"anonymous /api/public     {base:10.0f} req/s  ratio 1.00 (baseline)")
print(f"Bearer    /api/me         {auth:10.0f} req/s  ratio {auth/base:.2f}")
print(f"query     /api/me         {query:10.0f} req/s  ratio {query/base:.2f}")
PY
