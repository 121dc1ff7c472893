"""Per-layer output shapes (batch 1, eval mode) and parameter counts of mimicry's 48x48 and 64x64 ResNet GANs.

Produced like reference32_tables: a re-implementation written from the authors' files (kwotsin/mimicry
torch_mimicry/modules/resblocks.py, nets/sngan/sngan_{48,64}.py, nets/wgan_gp/wgan_gp_{48,64}.py,
nets/wgan_gp/wgan_gp_resblocks.py) with forward hooks on every conv, linear and norm layer and on every residual
block; each row is (module name, layer type, output shape, parameters of that module). The totals agree with the
closed forms: with GBlock(i, o) = 2i + 9io + o + 2o + 9o^2 + o + io + o, the 48x48 generator is
129*36*512 + GBlock(512, 256) + GBlock(256, 128) + GBlock(128, 64) + 2*64 + 27*64 + 3 = 4,878,083 and the 64x64 one
129*16*1024 + GBlock(1024, 512) + ... + GBlock(128, 64) + 2*64 + 27*64 + 3 = 12,220,675; both discriminators
(3 -> 64 -> 128 -> 256 -> 512 -> 1024, hidden channels = input channels, then Linear(1024, 1)) have 10,141,441.
"""

#: mimicry SNGAN ResNetGenerator48 (nets/sngan/sngan_48.py)
MIMICRY_G48_PARAMS = 4878083
MIMICRY_G48 = [
    ('l1', 'Linear', (1, 18432), 2377728),
    ('block2.b1', 'BatchNorm2d', (1, 512, 6, 6), 1024),
    ('block2.c1', 'Conv2d', (1, 256, 12, 12), 1179904),
    ('block2.b2', 'BatchNorm2d', (1, 256, 12, 12), 512),
    ('block2.c2', 'Conv2d', (1, 256, 12, 12), 590080),
    ('block2.c_sc', 'Conv2d', (1, 256, 12, 12), 131328),
    ('block2', 'GBlock', (1, 256, 12, 12), 1902848),
    ('block3.b1', 'BatchNorm2d', (1, 256, 12, 12), 512),
    ('block3.c1', 'Conv2d', (1, 128, 24, 24), 295040),
    ('block3.b2', 'BatchNorm2d', (1, 128, 24, 24), 256),
    ('block3.c2', 'Conv2d', (1, 128, 24, 24), 147584),
    ('block3.c_sc', 'Conv2d', (1, 128, 24, 24), 32896),
    ('block3', 'GBlock', (1, 128, 24, 24), 476288),
    ('block4.b1', 'BatchNorm2d', (1, 128, 24, 24), 256),
    ('block4.c1', 'Conv2d', (1, 64, 48, 48), 73792),
    ('block4.b2', 'BatchNorm2d', (1, 64, 48, 48), 128),
    ('block4.c2', 'Conv2d', (1, 64, 48, 48), 36928),
    ('block4.c_sc', 'Conv2d', (1, 64, 48, 48), 8256),
    ('block4', 'GBlock', (1, 64, 48, 48), 119360),
    ('b5', 'BatchNorm2d', (1, 64, 48, 48), 128),
    ('c5', 'Conv2d', (1, 3, 48, 48), 1731),
]

#: mimicry WGAN-GP ResNetGenerator48 (nets/wgan_gp/wgan_gp_48.py): the same layers (only the init differs)
MIMICRY_WGANGP_G48_PARAMS = MIMICRY_G48_PARAMS
MIMICRY_WGANGP_G48 = MIMICRY_G48

#: mimicry SNGAN ResNetDiscriminator48 (nets/sngan/sngan_48.py)
MIMICRY_SNGAN_D48_PARAMS = 10141441
MIMICRY_SNGAN_D48 = [
    ('block1.c1', 'Conv2d', (1, 64, 48, 48), 1792),
    ('block1.c2', 'Conv2d', (1, 64, 48, 48), 36928),
    ('block1.c_sc', 'Conv2d', (1, 64, 24, 24), 256),
    ('block1', 'DBlockOptimized', (1, 64, 24, 24), 38976),
    ('block2.c1', 'Conv2d', (1, 64, 24, 24), 36928),
    ('block2.c2', 'Conv2d', (1, 128, 24, 24), 73856),
    ('block2.c_sc', 'Conv2d', (1, 128, 24, 24), 8320),
    ('block2', 'DBlock', (1, 128, 12, 12), 119104),
    ('block3.c1', 'Conv2d', (1, 128, 12, 12), 147584),
    ('block3.c2', 'Conv2d', (1, 256, 12, 12), 295168),
    ('block3.c_sc', 'Conv2d', (1, 256, 12, 12), 33024),
    ('block3', 'DBlock', (1, 256, 6, 6), 475776),
    ('block4.c1', 'Conv2d', (1, 256, 6, 6), 590080),
    ('block4.c2', 'Conv2d', (1, 512, 6, 6), 1180160),
    ('block4.c_sc', 'Conv2d', (1, 512, 6, 6), 131584),
    ('block4', 'DBlock', (1, 512, 3, 3), 1901824),
    ('block5.c1', 'Conv2d', (1, 512, 3, 3), 2359808),
    ('block5.c2', 'Conv2d', (1, 1024, 3, 3), 4719616),
    ('block5.c_sc', 'Conv2d', (1, 1024, 3, 3), 525312),
    ('block5', 'DBlock', (1, 1024, 3, 3), 7604736),
    ('l5', 'Linear', (1, 1), 1025),
]

#: mimicry WGAN-GP ResNetDiscriminator48 (nets/wgan_gp/wgan_gp_48.py): the same layers, its head named l6
MIMICRY_WGANGP_D48_PARAMS = MIMICRY_SNGAN_D48_PARAMS
MIMICRY_WGANGP_D48 = [*MIMICRY_SNGAN_D48[:-1], ("l6", "Linear", (1, 1), 1025)]

#: mimicry SNGAN ResNetGenerator64 (nets/sngan/sngan_64.py)
MIMICRY_G64_PARAMS = 12220675
MIMICRY_G64 = [
    ('l1', 'Linear', (1, 16384), 2113536),
    ('block2.b1', 'BatchNorm2d', (1, 1024, 4, 4), 2048),
    ('block2.c1', 'Conv2d', (1, 512, 8, 8), 4719104),
    ('block2.b2', 'BatchNorm2d', (1, 512, 8, 8), 1024),
    ('block2.c2', 'Conv2d', (1, 512, 8, 8), 2359808),
    ('block2.c_sc', 'Conv2d', (1, 512, 8, 8), 524800),
    ('block2', 'GBlock', (1, 512, 8, 8), 7606784),
    ('block3.b1', 'BatchNorm2d', (1, 512, 8, 8), 1024),
    ('block3.c1', 'Conv2d', (1, 256, 16, 16), 1179904),
    ('block3.b2', 'BatchNorm2d', (1, 256, 16, 16), 512),
    ('block3.c2', 'Conv2d', (1, 256, 16, 16), 590080),
    ('block3.c_sc', 'Conv2d', (1, 256, 16, 16), 131328),
    ('block3', 'GBlock', (1, 256, 16, 16), 1902848),
    ('block4.b1', 'BatchNorm2d', (1, 256, 16, 16), 512),
    ('block4.c1', 'Conv2d', (1, 128, 32, 32), 295040),
    ('block4.b2', 'BatchNorm2d', (1, 128, 32, 32), 256),
    ('block4.c2', 'Conv2d', (1, 128, 32, 32), 147584),
    ('block4.c_sc', 'Conv2d', (1, 128, 32, 32), 32896),
    ('block4', 'GBlock', (1, 128, 32, 32), 476288),
    ('block5.b1', 'BatchNorm2d', (1, 128, 32, 32), 256),
    ('block5.c1', 'Conv2d', (1, 64, 64, 64), 73792),
    ('block5.b2', 'BatchNorm2d', (1, 64, 64, 64), 128),
    ('block5.c2', 'Conv2d', (1, 64, 64, 64), 36928),
    ('block5.c_sc', 'Conv2d', (1, 64, 64, 64), 8256),
    ('block5', 'GBlock', (1, 64, 64, 64), 119360),
    ('b6', 'BatchNorm2d', (1, 64, 64, 64), 128),
    ('c6', 'Conv2d', (1, 3, 64, 64), 1731),
]

#: mimicry WGAN-GP ResNetGenerator64 (nets/wgan_gp/wgan_gp_64.py): the same layers (only the init differs)
MIMICRY_WGANGP_G64_PARAMS = MIMICRY_G64_PARAMS
MIMICRY_WGANGP_G64 = MIMICRY_G64

#: mimicry SNGAN ResNetDiscriminator64 (nets/sngan/sngan_64.py)
MIMICRY_SNGAN_D64_PARAMS = 10141441
MIMICRY_SNGAN_D64 = [
    ('block1.c1', 'Conv2d', (1, 64, 64, 64), 1792),
    ('block1.c2', 'Conv2d', (1, 64, 64, 64), 36928),
    ('block1.c_sc', 'Conv2d', (1, 64, 32, 32), 256),
    ('block1', 'DBlockOptimized', (1, 64, 32, 32), 38976),
    ('block2.c1', 'Conv2d', (1, 64, 32, 32), 36928),
    ('block2.c2', 'Conv2d', (1, 128, 32, 32), 73856),
    ('block2.c_sc', 'Conv2d', (1, 128, 32, 32), 8320),
    ('block2', 'DBlock', (1, 128, 16, 16), 119104),
    ('block3.c1', 'Conv2d', (1, 128, 16, 16), 147584),
    ('block3.c2', 'Conv2d', (1, 256, 16, 16), 295168),
    ('block3.c_sc', 'Conv2d', (1, 256, 16, 16), 33024),
    ('block3', 'DBlock', (1, 256, 8, 8), 475776),
    ('block4.c1', 'Conv2d', (1, 256, 8, 8), 590080),
    ('block4.c2', 'Conv2d', (1, 512, 8, 8), 1180160),
    ('block4.c_sc', 'Conv2d', (1, 512, 8, 8), 131584),
    ('block4', 'DBlock', (1, 512, 4, 4), 1901824),
    ('block5.c1', 'Conv2d', (1, 512, 4, 4), 2359808),
    ('block5.c2', 'Conv2d', (1, 1024, 4, 4), 4719616),
    ('block5.c_sc', 'Conv2d', (1, 1024, 4, 4), 525312),
    ('block5', 'DBlock', (1, 1024, 2, 2), 7604736),
    ('l6', 'Linear', (1, 1), 1025),
]

#: mimicry WGAN-GP ResNetDiscriminator64 (nets/wgan_gp/wgan_gp_64.py): the same layers (head l6 in both)
MIMICRY_WGANGP_D64_PARAMS = MIMICRY_SNGAN_D64_PARAMS
MIMICRY_WGANGP_D64 = MIMICRY_SNGAN_D64
