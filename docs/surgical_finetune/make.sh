#!/usr/bin/env bash
# Run 10: does a model whose deep encoder stages never moved (configs/sbi_mobilenet_v2_surgical.yaml:
# only the encoder's stages above output stride 16 train, from ImageNet, on the footage_soft recipe)
# replace the bundled default (run 9)? The rule was written into the run's config and committed before
# the run started; this file applies it. Run from the repository root after
# docs/default_model_eval/draws.sh (which draws the five held-out test sets) and the training:
#
#   forgeloc train fit --config configs/sbi_mobilenet_v2_surgical.yaml
#   bash docs/surgical_finetune/make.sh runs/lightning_logs/version_7/checkpoints/last.ckpt  # (resumed: config)
#
# The rule (held-out material only): the candidate, with its own thresholds from the two footage_soft
# validation draws (at most 5 % of their real crops flagged), replaces run 9 if
#   (a) its mean frame ROC-AUC over the five seed-2 held-out draws (stills, footage, swaps, far faces,
#       soft) is at least run 9's mean less 0.01;
#   (b) its mean share flagged over benchmarks/scene_false_alarms.py's two far-face conditions is at most
#       run 9's + 0.02;
#   (c) the same over the two out-of-focus conditions is at most run 9's + 0.02.
# Otherwise run 9 stays. ../shared's real media are measured after the choice, never before.
# docs/default_model_eval/candidate.sh measures it; docs/weight_interpolation/choose.py applies the same
# three tests as it did for run 9.
# The run was stopped at step 1,333 when the host's steal time slowed this machine to 0.2-0.4 steps/s,
# and resumed from step 1,296 once it had gone (configs/sbi_mobilenet_v2_surgical.yaml says how), so its
# last checkpoint is runs/lightning_logs/version_7/checkpoints/last.ckpt.
set -euo pipefail
bash docs/default_model_eval/candidate.sh "${1:?the last checkpoint of the run}" surgical docs/surgical_finetune
