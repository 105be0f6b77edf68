#!/usr/bin/env bash
# Does averaging each crop's map with its mirror image's (`forgeloc export --flip-average`: the bundle runs
# every crop twice, once flipped left-right) make the bundled default (run 9) better enough to pay for
# twice the model's cost? No training: the same weights, thresholds searched again with the flip. Run from
# the repository root after docs/default_model_eval/draws.sh (which draws the five held-out test sets):
#
#   bash docs/flip_average/make.sh
#
# The rule (held-out material only), written and committed before the candidate was measured on any
# held-out draw (a probe on the footage_soft validation draws, the material thresholds are searched on,
# gave frame AUC 0.895 against 0.890 by the maps' maximum): the candidate, with its own thresholds from the
# two footage_soft validation draws (at most 5 % of their real crops flagged), replaces run 9's bundle if
#   (a) its mean frame ROC-AUC over the five held-out draws (stills, footage, swaps, far faces, out of
#       focus) is at least run 9's + 0.003 (the flip doubles the model's cost, so it has to pay);
#   (b) its mean share flagged over benchmarks/scene_false_alarms.py's two far-face conditions is at most
#       run 9's + 0.02;
#   (c) the same over the two out-of-focus conditions is at most run 9's + 0.02.
# (choice.md: docs/weight_interpolation/choose.py --min-gain 0.003.) Otherwise run 9 stays as it is.
# ../shared's real media are measured after the choice, never before.
set -euo pipefail
# run 9 as it was before the flip (the bundled json has had the flip since f57bc4a; the weights are the same)
RUN9=data/bundles/run9/default_sbi_mobilenet_v2
mkdir -p data/bundles/run9
for suffix in json safetensors; do
  git show "d063b9f:localize/assets/default_sbi_mobilenet_v2.$suffix" > "$RUN9.$suffix"
done
forgeloc export "$RUN9.json" --out data/bundles/flip --flip-average
DEFAULT="$RUN9.json" bash docs/default_model_eval/measure.sh flip docs/flip_average --min-gain 0.003
