#!/usr/bin/env bash
# The zoo leaderboard on mnist5k: every registered family (the lectures' zoo beside the seven GANs), 3 seeds,
# scored under the mnist5k protocol with the mnist-classifier. Sized for a shared 2-core CPU (about 50 min, one cell
# at a time, while another experiment used the other core):
# 400 generator steps at width 0.25 (every hidden width a quarter of the paper's), each family's other settings
# its paper's, one evaluation at the end with the protocol's 4,000 generated vs 4,000 reference samples.
# Then the publishable parts (rows, leaderboard, figures, the VAE-vs-GAN comparison) are copied here.
#
# Usage (from the repository root): bash benchmarks/zoo-mnist5k/run.sh [RUN_DIR]   (default runs/zoo-mnist5k)
# Re-running resumes: finished cells are skipped.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
RUN_DIR="${1:-runs/zoo-mnist5k}"
NEW=vae,vaegan,began,ebgan,infogan,acgan,fgan_js,fgan_kl,fgan_rkl,fgan_pearson,fgan_hellinger,fgan_tv
OLD=gan,dcgan,lsgan,wgan,wgan_gp,sngan,cgan
python -m ganbench run --models "$NEW,$OLD" --dataset mnist5k --seeds 0,1,2 \
    --steps 400 --width 0.25 --eval-every 400 \
    --metrics fid,pr,dc,class_coverage,code_recovery \
    --device cpu --jobs 1 --out "$RUN_DIR"
python "$HERE/publish.py" "$RUN_DIR" "$HERE"
