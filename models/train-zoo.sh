#!/usr/bin/env bash
# Retrains the shipped model zoo on the embedded mnist-10k (seed 0, 2 rayon threads).
# Dense models: up to 50 epochs, patience 5 (the original's budget). Conv models: candle's CPU
# convolution is slow (~130 s per epoch on 9000 images here), so they train on the first 5000
# images for up to 12 epochs with patience 3.
set -euo pipefail
cd "$(dirname "$0")/.."
export RAYON_NUM_THREADS=${RAYON_NUM_THREADS:-2}
B="cargo run --release --quiet --"
$B train --seed 0 --family dense --widths 365,176,145,23 --activation relu --batch 64  --epochs 50 --patience 5 --out models/dense_26
$B train --seed 0 --family dense --widths 213,46          --activation relu --batch 128 --epochs 50 --patience 5 --out models/dense_1
$B train --seed 0 --family conv  --widths 55,40,28,28,25  --activation elu  --batch 128 --epochs 12 --patience 3 --limit 5000 --out models/conv_12
$B train --seed 0 --family conv  --widths 59,46,15,8      --activation elu  --batch 32  --epochs 12 --patience 3 --limit 5000 --out models/conv_19
