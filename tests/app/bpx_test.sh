#!/usr/bin/env bash
# bpx_test.sh SSBSIM TEST_BPX SOURCE_DIR -- the BPX import (ctest bpx_import):
#   1. test_bpx: expression translation and the converted values of both About:Energy sets (C, cmocka)
#   2. `ssbsim import-bpx` on both sets: exit 0, and `ssbsim check` on the written cases: exit 0
#   3. the imported NMC111 case solves a 10-minute C/5 discharge (completed), and its default 1C
#      discharge follows the set's own 1C validation curve (BPX "Validation") within 25 mV RMS
#      between 600 s and 3000 s
#   4. errors: malformed JSON and an untranslatable expression exit 1 naming the place / BPX key
#   5. the User-defined ssbsim convention (Li metal | SSE | LFP): imports with warnings, checks
set -u
exe="$1" unit="$2" src="$3"
in="$src/tests/inputs/bpx"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

"$unit" "$in" || fail "test_bpx"

for s in nmc_pouch_cell_BPX lfp_18650_cell_BPX; do
  "$exe" import-bpx "$in/$s.json" || fail "import-bpx $s: exit $?"
  [ -f "$s.yaml" ] && [ -f "${s}_materials.yaml" ] || fail "$s: case or material file not written"
  "$exe" check "$s.yaml" || fail "check $s: exit $?"
done
# -o: the case and its materials beside it, in another directory
mkdir -p sub
"$exe" import-bpx "$in/lfp_18650_cell_BPX.json" -o sub/lfp.yaml >/dev/null || fail "import-bpx -o: exit $?"
[ -f sub/lfp_materials.yaml ] || fail "-o: materials not beside the case"
"$exe" check sub/lfp.yaml >/dev/null || fail "check sub/lfp.yaml: exit $?"

out="$("$exe" run nmc_pouch_cell_BPX.yaml -o short.h5 --set "experiment.steps[0]=Discharge at C/5 for 10 minutes")" || fail "short run: exit $?"
echo "$out"
grep -q "completed" <<<"$out" || fail "short run not completed"
[ "$(tail -1 short.csv | cut -d, -f1)" = "600" ] || fail "short run did not reach 600 s: $(tail -1 short.csv)"

"$exe" run nmc_pouch_cell_BPX.yaml -o full.h5 >/dev/null || fail "1C run: exit $?"
# the BPX 1C validation curve (time, voltage) from the JSON, against the run's CSV (linear interpolation)
awk '/"1C discharge"/ {on = 1} on && /"Time \[s\]"/ {gsub(/.*\[|\].*/, ""); print "T " $0} on && /"Voltage \[V\]"/ {gsub(/.*\[|\].*/, ""); print "V " $0; exit}' \
  "$in/nmc_pouch_cell_BPX.json" >val.txt
rms="$(awk -F, 'FNR == NR { n = split(substr($0, 3), a, /, */); for (i = 1; i <= n; i++) { if ($0 ~ /^T/) vt[i] = a[i]; else vv[i] = a[i] } nv = n; next }
  FNR > 1 { t[++m] = $1; v[m] = $3 }
  END { for (i = 1; i <= nv; i++) { if (vt[i] < 600 || vt[i] > 3000) continue
          for (k = 2; k <= m && t[k] < vt[i]; k++) ; w = (vt[i] - t[k-1]) / (t[k] - t[k-1]); u = v[k-1] + w * (v[k] - v[k-1])
          s += (u - vv[i])^2; c++ }
        printf "%.4f", sqrt(s / c) }' val.txt full.csv)"
echo "1C discharge against the BPX validation curve, 600-3000 s: RMS $rms V"
awk -v r="$rms" 'BEGIN { exit !(r > 0 && r < 0.025) }' || fail "RMS $rms V against the BPX 1C validation data"

"$exe" import-bpx "$in/bad_malformed.json" -o bad1.yaml 2>err1.txt
rc=$?
cat err1.txt
[ $rc = 1 ] || fail "malformed JSON: exit $rc, expected 1"
grep -q "bad_malformed.json:5:" err1.txt || fail "malformed JSON: message does not name file and line"
[ -f bad1.yaml ] && fail "malformed JSON: a case was written"

# as every input file: a FIFO without a writer reads as empty at once (it blocked for ever), a
# device is refused
rm -f bpx.fifo && mkfifo bpx.fifo
timeout 20 "$exe" import-bpx bpx.fifo -o fifo.yaml 2>err3.txt
rc=$?
[ $rc = 1 ] && grep -q "bpx.fifo:1: error: malformed JSON" err3.txt || fail "FIFO: exit $rc: $(cat err3.txt)"
timeout 20 "$exe" import-bpx /dev/zero -o zero.yaml 2>err3.txt
rc=$?
[ $rc = 1 ] && grep -q "cannot open the BPX file (it is a device or a socket, not a regular file)" err3.txt || fail "/dev/zero: exit $rc: $(cat err3.txt)"

"$exe" import-bpx "$in/bad_expression.json" -o bad2.yaml 2>err2.txt
rc=$?
cat err2.txt
[ $rc = 1 ] || fail "untranslatable expression: exit $rc, expected 1"
grep -q "Parameterisation.Positive electrode.OCP \[V\]" err2.txt || fail "untranslatable expression: message does not name the BPX key"
grep -q "np.where" err2.txt || fail "untranslatable expression: message does not name the construct"
[ -f bad2.yaml ] && fail "untranslatable expression: a case was written"

"$exe" import-bpx "$in/user_defined_ssbsim.json" 2>err3.txt || fail "User-defined ssbsim: exit $?"
cat err3.txt
grep -q "unknown BPX keys, ignored: 'Parameterisation.Cell.Electrode colour'" err3.txt || fail "unknown key not reported"
"$exe" check user_defined_ssbsim.yaml >/dev/null || fail "check user_defined_ssbsim: exit $?"
echo "bpx_import: all passed"
