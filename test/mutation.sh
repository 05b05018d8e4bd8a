#!/usr/bin/env bash
# Mutation testing of TokenAuth's security-relevant code with Stryker.NET (the local tool pinned in
# .config/dotnet-tools.json): Stryker changes one operator, condition, string or statement at a time in the files
# below, runs the tests that cover that line, and reports every change ("mutant") the tests did not notice.
#
#   bash test/mutation.sh            # the five groups of issue 9 (all but `library` and `cache`), one after another
#   bash test/mutation.sh GROUP...   # only these groups, one after another
#   bash test/mutation.sh --list     # the groups and their files
#
# Groups (the files are test/stryker-config.json's `mutate` globs; a group narrows them with --mutate):
#   library     every file of the TokenAuth project below in one run, against every test (~2 h: the thorough one)
#   extraction  token extraction: TokenExtractor.cs, BoundedFormReader.cs, the shape guard TokenShape.cs
#   sudo        SudoParser.cs and the sudo/tenant resolver ImpersonationResolver.cs
#   handler     TokenAuthHandler.cs
#   jwt         JwtTokenValidator.cs and its helpers ClaimPlan.cs, SigningKeyRefresher.cs
#   server      TokenAuth.Server's token endpoint, TokenEndpoint.cs
#   cache       the validation cache and the validators behind it: TokenCache.cs, TokenCachePolicy.cs, CachedToken.cs,
#               StoreTokenValidator.cs, IntrospectionTokenValidator.cs (not in issue 9's list; run once, not yet triaged)
#
# Reports (html, json) go to artifacts/mutation/<group>/reports/ (ignored by git); the clear-text table is printed
# and kept in artifacts/mutation/<group>/stryker.log. Settings shared by every group (coverage per test, 2 test
# processes: the machine has 2 cores and is shared, thresholds, the README tests excluded because they build and run
# a separate program that no mutant reaches) are in test/stryker-config.json. Each group costs ~7 min of build, initial
# test run and coverage capture, then ~6-10 mutants a minute on the shared 2-core machine: sudo took 38 min, extraction
# 10, jwt 15-18, handler 10-11, server 18 (test/TokenAuth.Benchmarks/RESULTS.md, "Mutation testing"); the whole library
# in one run would be about two hours. One group is the way to check a change to its files. Exit status: non-zero if any group's run failed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/test"

# group → project under test, then the globs that narrow the config's `mutate` list ("" = the whole list).
declare -A project=(
  [library]=TokenAuth.csproj [extraction]=TokenAuth.csproj [sudo]=TokenAuth.csproj
  [handler]=TokenAuth.csproj [jwt]=TokenAuth.csproj [server]=TokenAuth.Server.csproj [cache]=TokenAuth.csproj
)
declare -A globs=(
  [library]=""
  [extraction]="**/Extraction/TokenExtractor.cs **/Extraction/BoundedFormReader.cs **/Validation/TokenShape.cs"
  [sudo]="**/Impersonation/SudoParser.cs **/Impersonation/ImpersonationResolver.cs"
  [handler]="**/TokenAuthHandler.cs"
  [jwt]="**/Validation/JwtTokenValidator.cs **/Validation/ClaimPlan.cs **/Validation/SigningKeyRefresher.cs"
  [server]="**/Endpoints/TokenEndpoint.cs"
  [cache]="**/Validation/TokenCache.cs **/Validation/TokenCachePolicy.cs **/Validation/CachedToken.cs **/Validation/StoreTokenValidator.cs **/Introspection/IntrospectionTokenValidator.cs"
)
# group → the test namespaces (under TokenAuth.Tests) that exercise its files: the tests a group's mutants are run
# against. Every test covering a line would be run otherwise, and the handler, the resolver and the validator are on
# the path of ~1,000 of them: a surviving mutant would cost a whole test run (~2 min here). A mutant that only a test
# outside these namespaces would kill is reported as surviving: the score is a lower bound. "" = every test.
declare -A tests=(
  [library]=""
  [extraction]="Extraction Handler Hardening Hostile Server"
  [sudo]="Impersonation Seeds.Seed001 Sample.SampleSudoTests Hostile Diagnostics Resilience Hardening"
  [handler]="Handler Hostile Diagnostics Impersonation Jwt Hardening Resilience Seeds"
  [jwt]="Jwt Hostile Introspection.ValidatorRoutingTests Seeds Sample"
  [server]="Server Seeds Hostile Sample Browser"
  [cache]="Introspection Store Revocation Resilience Diagnostics Handler Hardening"
)
order=(library extraction sudo handler jwt server cache)

if [[ "${1:-}" == "--list" || "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  for g in "${order[@]}"; do
    printf '%-11s %-24s %s\n%36s tests: %s\n' "$g" "${project[$g]}" "${globs[$g]:-(every glob of test/stryker-config.json in that project)}" "" "${tests[$g]:-(all but Readme)}"
  done
  exit 0
fi

groups=("$@")
[[ ${#groups[@]} -eq 0 ]] && groups=(extraction sudo handler jwt server)
for g in "${groups[@]}"; do
  [[ -n "${project[$g]:-}" ]] || { echo "mutation.sh: unknown group '$g' (try --list)" >&2; exit 2; }
done

dotnet tool restore >/dev/null
status=0
for g in "${groups[@]}"; do
  out="$root/artifacts/mutation/$g"
  rm -rf "$out" && mkdir -p "$out"
  args=(--config-file stryker-config.json --project "${project[$g]}" --output "$out" --skip-version-check)
  set -f   # the globs are Stryker's, not the shell's
  for glob in ${globs[$g]}; do args+=(--mutate "$glob"); done
  set +f
  if [[ -n "${tests[$g]}" ]]; then
    filter=""
    for ns in ${tests[$g]}; do filter+="${filter:+|}FullyQualifiedName~TokenAuth.Tests.$ns"; done
    args+=(--test-case-filter "$filter")
  fi
  echo "== mutation.sh: group $g (${project[$g]}), started $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  start=$SECONDS
  if dotnet stryker "${args[@]}" 2>&1 | tee "$out/stryker.log"; then :; else status=1; fi
  echo "== mutation.sh: group $g took $(( (SECONDS - start) / 60 )) min $(( (SECONDS - start) % 60 )) s; reports in ${out#"$root"/}/reports/"
done
exit $status
