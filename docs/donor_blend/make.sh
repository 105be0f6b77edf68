#!/usr/bin/env bash
# Run 12: does run 9 fine-tuned with donor blends for half its fakes (configs/sbi_mobilenet_v2_donor.yaml;
# mask_gen.synth.self_blend.donor_blend) replace the bundled default (run 9)? The rule was written into the
# run's config and committed before the run's first checkpoint; this file applies it. Run from the
# repository root after docs/default_model_eval/draws.sh (which draws the five held-out test sets) and the
# training:
#
#   forgeloc train fit --config configs/sbi_mobilenet_v2_donor.yaml
#   bash docs/donor_blend/make.sh runs/lightning_logs/version_9/checkpoints/last.ckpt
#
# The rule (held-out material only): the candidate, with its own thresholds from the two footage_soft
# validation draws (at most 5 % of their real crops flagged), replaces run 9 if
#   (a) its mean frame ROC-AUC over the four self-blend draws (stills, footage, far faces, out of focus)
#       is at least run 9's mean less 0.01;
#   (b) its mean share flagged over benchmarks/scene_false_alarms.py's two far-face conditions is at most
#       run 9's + 0.02;
#   (c) the same over the two out-of-focus conditions is at most run 9's + 0.02;
#   (d) its frame ROC-AUC on the cross-identity swap draw (swap_test160_footage: held-out people, another
#       one's face Poisson-cloned in; training now blends other faces in, by alpha, so this draw is judged
#       on its own) is higher than run 9's.
# (choice.md: docs/weight_interpolation/choose.py --seen swap_test160_footage.) Otherwise run 9 stays.
# ../shared's real media are measured after the choice, never before.
set -euo pipefail
bash docs/default_model_eval/candidate.sh "${1:?the last checkpoint of the run}" donor docs/donor_blend \
  --seen swap_test160_footage
