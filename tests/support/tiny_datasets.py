"""Tiny dataset folders in the exact published formats: CIFAR-10/100 python batches (Python-2 pickles, as
cPickle wrote the originals), STL-10 binaries (column-major planes, 1-based labels) and aligned CelebA (jpgs and the
five annotation files). Checked against torchvision 0.29.1's readers (md5 checks disabled) when written."""

import io
import os
import pickle
import struct

import numpy as np
from PIL import Image


# --------------------------------------------------------------------------- py2-style pickle writer
class Py2Str(bytes):
    """Marker: pickle this as a *Python 2 str* (SHORT_BINSTRING/BINSTRING opcode), like the original
    CIFAR files (written by cPickle, protocol 2). Loads as `bytes` with encoding='bytes' and as `str`
    with encoding='latin1' (what torchvision uses)."""


class _Py2Pickler(pickle._Pickler):  # pure-python pickler so we can add opcodes
    dispatch = pickle._Pickler.dispatch.copy()

    def save_py2str(self, obj):
        data = bytes(obj)
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[Py2Str] = save_py2str

    def save_global(self, obj, name=None):
        mod = getattr(obj, "__module__", "") or ""
        if mod.startswith("numpy._core"):  # numpy>=2 internal path -> numpy 1.x path used by the originals
            name = name or obj.__qualname__
            self.write(pickle.GLOBAL + mod.replace("numpy._core", "numpy.core").encode() + b"\n"
                       + name.encode() + b"\n")
            self.memoize(obj)
            return
        super().save_global(obj, name)

    def reducer_override(self, obj):
        if isinstance(obj, np.ndarray):
            from numpy._core.multiarray import _reconstruct  # numpy 2; on numpy 1 use numpy.core.multiarray
            assert obj.dtype == np.uint8
            return (_reconstruct, (np.ndarray, (0,), Py2Str(b"b")),
                    (1, obj.shape, np.dtype("u1"), False, Py2Str(np.ascontiguousarray(obj).tobytes())))
        if isinstance(obj, np.dtype):
            return (np.dtype, (Py2Str(obj.str[1:].encode()), False, True),
                    (3, Py2Str(b"|"), None, None, None, -1, -1, 0))
        return NotImplemented


def py2_pickle_dump(obj, path):
    buf = io.BytesIO()
    _Py2Pickler(buf, protocol=2).dump(obj)
    with open(path, "wb") as f:
        f.write(buf.getvalue())


def _s(x):  # python-2 str
    return Py2Str(x.encode("latin1") if isinstance(x, str) else x)


# --------------------------------------------------------------------------- CIFAR
CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def hwc_to_cifar_rows(imgs_hwc):
    """(N,32,32,3) uint8 -> (N,3072): [R plane row-major | G plane | B plane]."""
    return np.ascontiguousarray(imgs_hwc.transpose(0, 3, 1, 2).reshape(len(imgs_hwc), 3072))


def write_cifar10(root, n_per_batch=4, seed=0):
    rng = np.random.default_rng(seed)
    d = os.path.join(root, "cifar-10-batches-py")
    os.makedirs(d, exist_ok=True)
    all_imgs = {}
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for i, name in enumerate(names):
        imgs = rng.integers(0, 256, (n_per_batch, 32, 32, 3), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, n_per_batch)]
        label = ("testing batch 1 of 1" if name == "test_batch" else f"training batch {i + 1} of 5")
        py2_pickle_dump({
            _s("batch_label"): _s(label),
            _s("labels"): labels,
            _s("data"): hwc_to_cifar_rows(imgs),
            _s("filenames"): [_s(f"img_{i}_{j}.png") for j in range(n_per_batch)],
        }, os.path.join(d, name))
        all_imgs[name] = (imgs, labels)
    py2_pickle_dump({_s("num_cases_per_batch"): n_per_batch,
                     _s("label_names"): [_s(c) for c in CIFAR10_CLASSES],
                     _s("num_vis"): 3072}, os.path.join(d, "batches.meta"))
    with open(os.path.join(d, "readme.html"), "w") as f:
        f.write("<meta HTTP-EQUIV='REFRESH' content='0; url=http://www.cs.toronto.edu/~kriz/cifar.html'>")
    return all_imgs


def write_cifar100(root, n=5, seed=0):
    rng = np.random.default_rng(seed)
    d = os.path.join(root, "cifar-100-python")
    os.makedirs(d, exist_ok=True)
    out = {}
    for name in ("train", "test"):
        imgs = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
        fine = [int(v) for v in rng.integers(0, 100, n)]
        coarse = [int(v) for v in rng.integers(0, 20, n)]
        py2_pickle_dump({_s("filenames"): [_s(f"x{j}.png") for j in range(n)],
                         _s("batch_label"): _s(f"{name}ing batch 1 of 1"),
                         _s("fine_labels"): fine, _s("coarse_labels"): coarse,
                         _s("data"): hwc_to_cifar_rows(imgs)}, os.path.join(d, name))
        out[name] = (imgs, fine)
    py2_pickle_dump({_s("fine_label_names"): [_s(f"fine{i}") for i in range(100)],
                     _s("coarse_label_names"): [_s(f"coarse{i}") for i in range(20)]}, os.path.join(d, "meta"))
    return out


# --------------------------------------------------------------------------- STL-10
def hwc_to_stl(imgs_hwc):
    """(N,96,96,3) -> bytes in STL-10 order: per image, per channel (R,G,B), 96x96 COLUMN-major."""
    return np.ascontiguousarray(imgs_hwc.transpose(0, 3, 2, 1)).tobytes()


def write_stl10(root, n_train=3, n_test=2, n_unl=4, seed=0):
    rng = np.random.default_rng(seed)
    d = os.path.join(root, "stl10_binary")
    os.makedirs(d, exist_ok=True)
    out = {}
    for stem, n, lab in (("train", n_train, True), ("test", n_test, True), ("unlabeled", n_unl, False)):
        imgs = rng.integers(0, 256, (n, 96, 96, 3), dtype=np.uint8)
        with open(os.path.join(d, f"{stem}_X.bin"), "wb") as f:
            f.write(hwc_to_stl(imgs))
        labels = None
        if lab:
            labels = rng.integers(1, 11, n).astype(np.uint8)  # 1-based on disk
            with open(os.path.join(d, f"{stem}_y.bin"), "wb") as f:
                f.write(labels.tobytes())
        out[stem] = (imgs, labels)
    with open(os.path.join(d, "class_names.txt"), "w") as f:
        f.write("\n".join(["airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck"]) + "\n")
    with open(os.path.join(d, "fold_indices.txt"), "w") as f:
        for k in range(10):
            f.write(" ".join(str((k + j) % n_train) for j in range(2)) + "\n")
    return out


# --------------------------------------------------------------------------- CelebA
CELEBA_ATTRS = ("5_o_Clock_Shadow Arched_Eyebrows Attractive Bags_Under_Eyes Bald Bangs Big_Lips Big_Nose "
                "Black_Hair Blond_Hair Blurry Brown_Hair Bushy_Eyebrows Chubby Double_Chin Eyeglasses Goatee "
                "Gray_Hair Heavy_Makeup High_Cheekbones Male Mouth_Slightly_Open Mustache Narrow_Eyes No_Beard "
                "Oval_Face Pale_Skin Pointy_Nose Receding_Hairline Rosy_Cheeks Sideburns Smiling Straight_Hair "
                "Wavy_Hair Wearing_Earrings Wearing_Hat Wearing_Lipstick Wearing_Necklace Wearing_Necktie "
                "Young").split()
LANDMARK_COLS = "lefteye_x lefteye_y righteye_x righteye_y nose_x nose_y leftmouth_x leftmouth_y rightmouth_x rightmouth_y"


def write_celeba(root, partitions=(0, 0, 0, 1, 1, 2, 2), size=(178, 218), seed=0):
    """root/celeba/{img_align_celeba/*.jpg, list_eval_partition.txt, identity_CelebA.txt,
    list_attr_celeba.txt, list_bbox_celeba.txt, list_landmarks_align_celeba.txt}."""
    rng = np.random.default_rng(seed)
    d = os.path.join(root, "celeba")
    imgdir = os.path.join(d, "img_align_celeba")
    os.makedirs(imgdir, exist_ok=True)
    names = [f"{i + 1:06d}.jpg" for i in range(len(partitions))]
    w, h = size
    for nm in names:
        Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(os.path.join(imgdir, nm), quality=95)
    n = len(names)
    with open(os.path.join(d, "list_eval_partition.txt"), "w") as f:  # no header
        f.writelines(f"{nm} {p}\n" for nm, p in zip(names, partitions, strict=True))
    with open(os.path.join(d, "identity_CelebA.txt"), "w") as f:  # no header
        f.writelines(f"{nm} {int(rng.integers(1, 10178))}\n" for nm in names)
    with open(os.path.join(d, "list_attr_celeba.txt"), "w") as f:  # line0 count, line1 40 names
        f.write(f"{n}\n" + " ".join(CELEBA_ATTRS) + "\n")
        for nm in names:
            f.write(nm + " " + " ".join(f"{v:2d}" for v in rng.choice([-1, 1], 40)) + "\n")
    with open(os.path.join(d, "list_bbox_celeba.txt"), "w") as f:
        f.write(f"{n}\nimage_id x_1 y_1 width height\n")
        f.writelines(f"{nm} 95 71 226 313\n" for nm in names)
    with open(os.path.join(d, "list_landmarks_align_celeba.txt"), "w") as f:
        f.write(f"{n}\n{LANDMARK_COLS}\n")
        f.writelines(f"{nm} 69 109 106 113 77 142 73 152 108 154\n" for nm in names)
    return names
