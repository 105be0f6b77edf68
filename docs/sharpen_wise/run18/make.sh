#!/usr/bin/env bash
# Run 18: run 17's line again, nearer run 14. Run 17 (docs/sharpen_wise/make.sh, choice.md) found no
# candidate that passes: a = 0.25 failed only (b), the swaps' AUC 0.712 against the 0.714 asked (run 14's
# 0.724 less 0.01), while it passed (f) by 25 points (sharpened 22.1 % flagged against 47.1 %) and (a),
# (c)-(e). This file, with its rule, was committed before any of its candidates was measured. The
# candidates: (1 - a) x run 14 + a x run 16, a in {0.1, 0.15, 0.2}, each flip-averaged with its own
# thresholds (two footage_soft validation draws, at most 5 % of real crops flagged); each judged by run
# 15's rule as written (docs/sharpen/choose.py); of those that pass, the largest a replaces run 14; if none
# passes, run 14 stays. These are more looks at the same held-out draws, so a pass here is weaker evidence
# than a first look: the model card says so. The real media in ../shared are measured after the choice.
# Run 14's own figures are run 17's (the same bundle, the same draws, deterministic), merged in rather
# than measured again:
#
#   bash docs/sharpen_wise/run18/make.sh
set -euo pipefail
OUT=docs/sharpen_wise/run18
DEFAULT=localize/assets/default_sbi_mobilenet_v2.json
RUN16=data/bundles/sharp_source.json
VAL=(--data data/sbi_val160_soft --split val --max-real-flagged 0.05)
models=()
for a in 10 15 20; do
  name=data/bundles/sharp_wise_0$a
  forgeloc interpolate "$DEFAULT" "$RUN16" --alpha "0.$a" --out "$name" --half
  forgeloc thresholds "$name" "${VAL[@]}"
  models+=(--model "$name.json")
done
forgeloc eval "${models[@]}" --data data/sbi_test160 --data data/sbi_test160_footage \
  --data data/swap_test160_footage --data data/far_test160 --data data/soft_test160 --split test --out "$OUT"
python benchmarks/scene_false_alarms.py "${models[@]}" --json "$OUT/scene_false_alarms.json"
python - "$OUT" <<'PY'
import json, sys
from pathlib import Path
out, earlier = Path(sys.argv[1]), Path("docs/sharpen_wise")
report = json.loads((out / "report.json").read_text())
before = json.loads((earlier / "report.json").read_text())
report["runs"] = [r for r in before["runs"] if r["model"].startswith("default_sbi_mobilenet_v2")] + report["runs"]
scene = json.loads((earlier / "scene_false_alarms.json").read_text())
scene = {k: v for k, v in scene.items() if Path(k).stem == "default_sbi_mobilenet_v2"}
scene.update(json.loads((out / "scene_false_alarms.json").read_text()))
(out / "with_run14.report.json").write_text(json.dumps(report))
(out / "with_run14.scene_false_alarms.json").write_text(json.dumps(scene, indent=1))
PY
chosen=default_sbi_mobilenet_v2
: > "$OUT/choice.md"
for a in 020 015 010; do
  python docs/sharpen/choose.py "$OUT/with_run14.report.json" "$OUT/with_run14.scene_false_alarms.json" \
    "sharp_wise_$a" | tee -a "$OUT/choice.md"
  echo >> "$OUT/choice.md"
done
for a in 020 015 010; do  # the largest a that passes wins
  if grep -q "^chosen: sharp_wise_$a$" "$OUT/choice.md"; then chosen=sharp_wise_$a; break; fi
done
echo "run 18's choice (the largest a that passes): $chosen" | tee -a "$OUT/choice.md"
