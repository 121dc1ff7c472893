"""Per-layer output shapes (batch 1, eval mode) and parameter counts of the authors' 32x32 networks.

Produced by re-implementations written from the authors' files (kwotsin/mimicry torch_mimicry/modules/resblocks.py,
modules/layers.py, nets/{dcgan,wgan_gp,sngan,cgan_pd}/*_32.py, nets/wgan_gp/wgan_gp_resblocks.py;
w86763777/pytorch-gan-collections source/models/{dcgan,wgangp,sngan}.py) with forward hooks on every conv, linear,
embedding, norm, upsample and pool layer and on every residual block; each row is (module name, layer type, output
shape, parameters of that module). The totals agree with the closed forms, e.g. mimicry's generator
(z+1)*16*256 + 3*(2*2*256 + 2*(9*256**2 + 256) + 256**2 + 256) + 2*256 + 27*256 + 3 = 4,276,739.
"""

#: mimicry DCGANGenerator32 / SNGANGenerator32
MIMICRY_G_PARAMS = 4276739
MIMICRY_G = [
    ('l1', 'Linear', (1, 4096), 528384),
    ('block2.b1', 'BatchNorm2d', (1, 256, 4, 4), 512),
    ('block2.c1', 'Conv2d', (1, 256, 8, 8), 590080),
    ('block2.b2', 'BatchNorm2d', (1, 256, 8, 8), 512),
    ('block2.c2', 'Conv2d', (1, 256, 8, 8), 590080),
    ('block2.c_sc', 'Conv2d', (1, 256, 8, 8), 65792),
    ('block2', 'GBlock', (1, 256, 8, 8), 1246976),
    ('block3.b1', 'BatchNorm2d', (1, 256, 8, 8), 512),
    ('block3.c1', 'Conv2d', (1, 256, 16, 16), 590080),
    ('block3.b2', 'BatchNorm2d', (1, 256, 16, 16), 512),
    ('block3.c2', 'Conv2d', (1, 256, 16, 16), 590080),
    ('block3.c_sc', 'Conv2d', (1, 256, 16, 16), 65792),
    ('block3', 'GBlock', (1, 256, 16, 16), 1246976),
    ('block4.b1', 'BatchNorm2d', (1, 256, 16, 16), 512),
    ('block4.c1', 'Conv2d', (1, 256, 32, 32), 590080),
    ('block4.b2', 'BatchNorm2d', (1, 256, 32, 32), 512),
    ('block4.c2', 'Conv2d', (1, 256, 32, 32), 590080),
    ('block4.c_sc', 'Conv2d', (1, 256, 32, 32), 65792),
    ('block4', 'GBlock', (1, 256, 32, 32), 1246976),
    ('b5', 'BatchNorm2d', (1, 256, 32, 32), 512),
    ('c5', 'Conv2d', (1, 3, 32, 32), 6915),
]

#: mimicry WGANGPGenerator32: the same layers (it differs from SNGANGenerator32 only in initialisation)
MIMICRY_WGANGP_G_PARAMS = MIMICRY_G_PARAMS
MIMICRY_WGANGP_G = MIMICRY_G

#: mimicry CGANPDGenerator32 (10 cls)
MIMICRY_CGANPD_G_PARAMS = 4304387
MIMICRY_CGANPD_G = [
    ('l1', 'Linear', (1, 4096), 528384),
    ('block2.b1.bn', 'BatchNorm2d', (1, 256, 4, 4), 0),
    ('block2.b1.embed', 'Embedding', (1, 512), 5120),
    ('block2.c1', 'Conv2d', (1, 256, 8, 8), 590080),
    ('block2.b2.bn', 'BatchNorm2d', (1, 256, 8, 8), 0),
    ('block2.b2.embed', 'Embedding', (1, 512), 5120),
    ('block2.c2', 'Conv2d', (1, 256, 8, 8), 590080),
    ('block2.c_sc', 'Conv2d', (1, 256, 8, 8), 65792),
    ('block2', 'GBlock', (1, 256, 8, 8), 1256192),
    ('block3.b1.bn', 'BatchNorm2d', (1, 256, 8, 8), 0),
    ('block3.b1.embed', 'Embedding', (1, 512), 5120),
    ('block3.c1', 'Conv2d', (1, 256, 16, 16), 590080),
    ('block3.b2.bn', 'BatchNorm2d', (1, 256, 16, 16), 0),
    ('block3.b2.embed', 'Embedding', (1, 512), 5120),
    ('block3.c2', 'Conv2d', (1, 256, 16, 16), 590080),
    ('block3.c_sc', 'Conv2d', (1, 256, 16, 16), 65792),
    ('block3', 'GBlock', (1, 256, 16, 16), 1256192),
    ('block4.b1.bn', 'BatchNorm2d', (1, 256, 16, 16), 0),
    ('block4.b1.embed', 'Embedding', (1, 512), 5120),
    ('block4.c1', 'Conv2d', (1, 256, 32, 32), 590080),
    ('block4.b2.bn', 'BatchNorm2d', (1, 256, 32, 32), 0),
    ('block4.b2.embed', 'Embedding', (1, 512), 5120),
    ('block4.c2', 'Conv2d', (1, 256, 32, 32), 590080),
    ('block4.c_sc', 'Conv2d', (1, 256, 32, 32), 65792),
    ('block4', 'GBlock', (1, 256, 32, 32), 1256192),
    ('b5', 'BatchNorm2d', (1, 256, 32, 32), 512),
    ('c5', 'Conv2d', (1, 3, 32, 32), 6915),
]

#: mimicry SNGANDiscriminator32
MIMICRY_D_PARAMS = 1053825
MIMICRY_D = [
    ('block1.c1', 'Conv2d', (1, 128, 32, 32), 3584),
    ('block1.c2', 'Conv2d', (1, 128, 32, 32), 147584),
    ('block1.c_sc', 'Conv2d', (1, 128, 16, 16), 512),
    ('block1', 'DBlockOptimized', (1, 128, 16, 16), 151680),
    ('block2.c1', 'Conv2d', (1, 128, 16, 16), 147584),
    ('block2.c2', 'Conv2d', (1, 128, 16, 16), 147584),
    ('block2.c_sc', 'Conv2d', (1, 128, 16, 16), 16512),
    ('block2', 'DBlock', (1, 128, 8, 8), 311680),
    ('block3.c1', 'Conv2d', (1, 128, 8, 8), 147584),
    ('block3.c2', 'Conv2d', (1, 128, 8, 8), 147584),
    ('block3', 'DBlock', (1, 128, 8, 8), 295168),
    ('block4.c1', 'Conv2d', (1, 128, 8, 8), 147584),
    ('block4.c2', 'Conv2d', (1, 128, 8, 8), 147584),
    ('block4', 'DBlock', (1, 128, 8, 8), 295168),
    ('l5', 'Linear', (1, 1), 129),
]

#: mimicry CGANPDDiscriminator32 (10 cls)
MIMICRY_CGANPD_D_PARAMS = 1055105
MIMICRY_CGANPD_D = [
    ('block1.c1', 'Conv2d', (1, 128, 32, 32), 3584),
    ('block1.c2', 'Conv2d', (1, 128, 32, 32), 147584),
    ('block1.c_sc', 'Conv2d', (1, 128, 16, 16), 512),
    ('block1', 'DBlockOptimized', (1, 128, 16, 16), 151680),
    ('block2.c1', 'Conv2d', (1, 128, 16, 16), 147584),
    ('block2.c2', 'Conv2d', (1, 128, 16, 16), 147584),
    ('block2.c_sc', 'Conv2d', (1, 128, 16, 16), 16512),
    ('block2', 'DBlock', (1, 128, 8, 8), 311680),
    ('block3.c1', 'Conv2d', (1, 128, 8, 8), 147584),
    ('block3.c2', 'Conv2d', (1, 128, 8, 8), 147584),
    ('block3', 'DBlock', (1, 128, 8, 8), 295168),
    ('block4.c1', 'Conv2d', (1, 128, 8, 8), 147584),
    ('block4.c2', 'Conv2d', (1, 128, 8, 8), 147584),
    ('block4', 'DBlock', (1, 128, 8, 8), 295168),
    ('l5', 'Linear', (1, 1), 129),
    ('l_y', 'Embedding', (1, 128), 1280),
]

#: w867 DCGAN Generator32 (z=100)
COLLECTIONS_DCGAN_G_PARAMS = 11429632
COLLECTIONS_DCGAN_G = [
    ('main.0', 'ConvTranspose2d', (1, 1024, 2, 2), 409600),
    ('main.1', 'BatchNorm2d', (1, 1024, 2, 2), 2048),
    ('main.3', 'ConvTranspose2d', (1, 512, 4, 4), 8388608),
    ('main.4', 'BatchNorm2d', (1, 512, 4, 4), 1024),
    ('main.6', 'ConvTranspose2d', (1, 256, 8, 8), 2097152),
    ('main.7', 'BatchNorm2d', (1, 256, 8, 8), 512),
    ('main.9', 'ConvTranspose2d', (1, 128, 16, 16), 524288),
    ('main.10', 'BatchNorm2d', (1, 128, 16, 16), 256),
    ('main.12', 'ConvTranspose2d', (1, 3, 32, 32), 6144),
]

#: w867 DCGAN Discriminator32
COLLECTIONS_DCGAN_D_PARAMS = 4309441
COLLECTIONS_DCGAN_D = [
    ('main.0', 'Conv2d', (1, 64, 16, 16), 4800),
    ('main.2', 'Conv2d', (1, 128, 8, 8), 204800),
    ('main.4', 'BatchNorm2d', (1, 128, 8, 8), 256),
    ('main.5', 'Conv2d', (1, 256, 4, 4), 819200),
    ('main.7', 'BatchNorm2d', (1, 256, 4, 4), 512),
    ('main.8', 'Conv2d', (1, 512, 2, 2), 3276800),
    ('main.10', 'BatchNorm2d', (1, 512, 2, 2), 1024),
    ('linear', 'Linear', (1, 1), 2049),
]

#: w867 CNN Generator32 (z=100) [WGAN-GP & SNGAN]
COLLECTIONS_CNN_G_PARAMS = 3584003
COLLECTIONS_CNN_G = [
    ('linear', 'Linear', (1, 8192), 827392),
    ('main.0', 'BatchNorm2d', (1, 512, 4, 4), 1024),
    ('main.2', 'ConvTranspose2d', (1, 256, 8, 8), 2097408),
    ('main.3', 'BatchNorm2d', (1, 256, 8, 8), 512),
    ('main.5', 'ConvTranspose2d', (1, 128, 16, 16), 524416),
    ('main.6', 'BatchNorm2d', (1, 128, 16, 16), 256),
    ('main.8', 'ConvTranspose2d', (1, 64, 32, 32), 131136),
    ('main.9', 'BatchNorm2d', (1, 64, 32, 32), 128),
    ('main.11', 'Conv2d', (1, 3, 32, 32), 1731),
]

#: w867 SNGAN CNN Discriminator32
COLLECTIONS_CNN_D_PARAMS = 5860865
COLLECTIONS_CNN_D = [
    ('main.0', 'Conv2d', (1, 64, 32, 32), 1792),
    ('main.2', 'Conv2d', (1, 128, 16, 16), 131200),
    ('main.4', 'Conv2d', (1, 128, 16, 16), 147584),
    ('main.6', 'Conv2d', (1, 256, 8, 8), 524544),
    ('main.8', 'Conv2d', (1, 256, 8, 8), 590080),
    ('main.10', 'Conv2d', (1, 512, 4, 4), 2097664),
    ('main.12', 'Conv2d', (1, 512, 4, 4), 2359808),
    ('linear', 'Linear', (1, 1), 8193),
]

#: w867 ResGenerator32 (z=128) [WGAN-GP & SNGAN]
COLLECTIONS_RES_G_PARAMS = 4276739
COLLECTIONS_RES_G = [
    ('linear', 'Linear', (1, 4096), 528384),
    ('blocks.0.residual.0', 'BatchNorm2d', (1, 256, 4, 4), 512),
    ('blocks.0.residual.2', 'Upsample', (1, 256, 8, 8), 0),
    ('blocks.0.residual.3', 'Conv2d', (1, 256, 8, 8), 590080),
    ('blocks.0.residual.4', 'BatchNorm2d', (1, 256, 8, 8), 512),
    ('blocks.0.residual.6', 'Conv2d', (1, 256, 8, 8), 590080),
    ('blocks.0.shortcut.0', 'Upsample', (1, 256, 8, 8), 0),
    ('blocks.0.shortcut.1', 'Conv2d', (1, 256, 8, 8), 65792),
    ('blocks.0', 'ResGenBlock', (1, 256, 8, 8), 1246976),
    ('blocks.1.residual.0', 'BatchNorm2d', (1, 256, 8, 8), 512),
    ('blocks.1.residual.2', 'Upsample', (1, 256, 16, 16), 0),
    ('blocks.1.residual.3', 'Conv2d', (1, 256, 16, 16), 590080),
    ('blocks.1.residual.4', 'BatchNorm2d', (1, 256, 16, 16), 512),
    ('blocks.1.residual.6', 'Conv2d', (1, 256, 16, 16), 590080),
    ('blocks.1.shortcut.0', 'Upsample', (1, 256, 16, 16), 0),
    ('blocks.1.shortcut.1', 'Conv2d', (1, 256, 16, 16), 65792),
    ('blocks.1', 'ResGenBlock', (1, 256, 16, 16), 1246976),
    ('blocks.2.residual.0', 'BatchNorm2d', (1, 256, 16, 16), 512),
    ('blocks.2.residual.2', 'Upsample', (1, 256, 32, 32), 0),
    ('blocks.2.residual.3', 'Conv2d', (1, 256, 32, 32), 590080),
    ('blocks.2.residual.4', 'BatchNorm2d', (1, 256, 32, 32), 512),
    ('blocks.2.residual.6', 'Conv2d', (1, 256, 32, 32), 590080),
    ('blocks.2.shortcut.0', 'Upsample', (1, 256, 32, 32), 0),
    ('blocks.2.shortcut.1', 'Conv2d', (1, 256, 32, 32), 65792),
    ('blocks.2', 'ResGenBlock', (1, 256, 32, 32), 1246976),
    ('output.0', 'BatchNorm2d', (1, 256, 32, 32), 512),
    ('output.2', 'Conv2d', (1, 3, 32, 32), 6915),
]

#: w867 WGAN-GP ResDiscriminator32
COLLECTIONS_WGANGP_RES_D_PARAMS = 1053825
COLLECTIONS_WGANGP_RES_D = [
    ('model.0.residual.0', 'Conv2d', (1, 128, 32, 32), 3584),
    ('model.0.residual.2', 'Conv2d', (1, 128, 32, 32), 147584),
    ('model.0.residual.3', 'AvgPool2d', (1, 128, 16, 16), 0),
    ('model.0.shortcut.0', 'AvgPool2d', (1, 3, 16, 16), 0),
    ('model.0.shortcut.1', 'Conv2d', (1, 128, 16, 16), 512),
    ('model.0', 'OptimizedResDisblock', (1, 128, 16, 16), 151680),
    ('model.1.residual.1', 'Conv2d', (1, 128, 16, 16), 147584),
    ('model.1.residual.3', 'Conv2d', (1, 128, 16, 16), 147584),
    ('model.1.residual.4', 'AvgPool2d', (1, 128, 8, 8), 0),
    ('model.1.shortcut.0', 'Conv2d', (1, 128, 16, 16), 16512),
    ('model.1.shortcut.1', 'AvgPool2d', (1, 128, 8, 8), 0),
    ('model.1', 'ResDisBlock', (1, 128, 8, 8), 311680),
    ('model.2.residual.1', 'Conv2d', (1, 128, 8, 8), 147584),
    ('model.2.residual.3', 'Conv2d', (1, 128, 8, 8), 147584),
    ('model.2', 'ResDisBlock', (1, 128, 8, 8), 295168),
    ('model.3.residual.1', 'Conv2d', (1, 128, 8, 8), 147584),
    ('model.3.residual.3', 'Conv2d', (1, 128, 8, 8), 147584),
    ('model.3', 'ResDisBlock', (1, 128, 8, 8), 295168),
    ('linear', 'Linear', (1, 1), 129),
]

#: w867 SNGAN ResDiscriminator32
COLLECTIONS_SNGAN_RES_D_PARAMS = 1053824
COLLECTIONS_SNGAN_RES_D = [
    ('model.0.residual.0', 'Conv2d', (1, 128, 32, 32), 3584),
    ('model.0.residual.2', 'Conv2d', (1, 128, 32, 32), 147584),
    ('model.0.residual.3', 'AvgPool2d', (1, 128, 16, 16), 0),
    ('model.0.shortcut.0', 'AvgPool2d', (1, 3, 16, 16), 0),
    ('model.0.shortcut.1', 'Conv2d', (1, 128, 16, 16), 512),
    ('model.0', 'OptimizedResDisblock', (1, 128, 16, 16), 151680),
    ('model.1.residual.1', 'Conv2d', (1, 128, 16, 16), 147584),
    ('model.1.residual.3', 'Conv2d', (1, 128, 16, 16), 147584),
    ('model.1.residual.4', 'AvgPool2d', (1, 128, 8, 8), 0),
    ('model.1.shortcut.0', 'Conv2d', (1, 128, 16, 16), 16512),
    ('model.1.shortcut.1', 'AvgPool2d', (1, 128, 8, 8), 0),
    ('model.1', 'ResDisBlock', (1, 128, 8, 8), 311680),
    ('model.2.residual.1', 'Conv2d', (1, 128, 8, 8), 147584),
    ('model.2.residual.3', 'Conv2d', (1, 128, 8, 8), 147584),
    ('model.2', 'ResDisBlock', (1, 128, 8, 8), 295168),
    ('model.3.residual.1', 'Conv2d', (1, 128, 8, 8), 147584),
    ('model.3.residual.3', 'Conv2d', (1, 128, 8, 8), 147584),
    ('model.3', 'ResDisBlock', (1, 128, 8, 8), 295168),
    ('linear', 'Linear', (1, 1), 128),
]
