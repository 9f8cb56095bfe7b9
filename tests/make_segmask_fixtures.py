"""Generate tests/fixtures/segmasks.npz from real torchvision's draw_segmentation_masks (run once):
    /work/tvenv/bin/python tests/make_segmask_fixtures.py
The case table is shared with tests/test_tier3_more.py; keep this module importable without torch."""
import os

import numpy as np

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "segmasks.npz")

# (image key, mask key, alpha, colors)
SEG_CASES = [
    ("u8", "m3", 0.8, None),
    ("u8", "m3", 0.5, ["red", (10, 200, 30), "#00FF80"]),
    ("u8", "m2d", 0.3, "blue"),
    ("u8", "m3", 1.0, (240, 10, 157)),
    ("u8", "m3", 0.0, None),
    ("f32", "m3", 0.8, None),
    ("f32", "m2d", 0.6, (0, 128, 255)),
    ("f64", "m1", 0.7, ["green"]),
    ("f16", "m3", 0.4, None),
    ("u8", "mnone", 0.8, None),
    ("u8", "m5", 0.25, None),
]


def make_arrays():
    """Images (3, 6, 7) and boolean masks with overlaps and empty masks."""
    rng = np.random.default_rng(77)
    u8 = rng.integers(0, 256, (3, 6, 7)).astype(np.uint8)
    f = rng.random((3, 6, 7))
    m3 = rng.random((3, 6, 7)) > 0.6
    m3[2] = False
    return {
        "u8": u8, "f32": f.astype(np.float32), "f64": f, "f16": f.astype(np.float16),
        "m3": m3, "m2d": rng.random((6, 7)) > 0.5, "m1": rng.random((1, 6, 7)) > 0.3,
        "mnone": np.zeros((3, 6, 7), bool), "m5": rng.random((5, 6, 7)) > 0.7,
    }


def main():
    import torch
    from torchvision.utils import draw_segmentation_masks
    arrays = make_arrays()
    out = {}
    for i, (img, msk, alpha, colors) in enumerate(SEG_CASES):
        image, masks = torch.from_numpy(arrays[img]), torch.from_numpy(arrays[msk])
        res = draw_segmentation_masks(image, masks, alpha, colors)
        out[f"case{i}"] = res.numpy()
    tmp = FIXTURE + ".tmp.npz"
    np.savez(tmp, **out)
    os.replace(tmp, FIXTURE)


if __name__ == "__main__":
    main()
