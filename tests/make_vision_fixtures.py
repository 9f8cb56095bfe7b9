"""Generate tests/fixtures/vision_transforms.npz from real torchvision (run once, outside CI).

torchvision 0.29 needs torch 2.14, which cannot sit beside the torch 2.13 oracle, so the golden outputs
are produced in a separate venv:  /work/tvenv/bin/python tests/make_vision_fixtures.py
The case table below is shared with tests/test_vision_transforms.py, which replays every expression
under numtorch.vision and compares against the stored arrays.  Keep this module importable without
torch or torchvision: they are imported inside main() only.
"""
import json
import os
import random
import sys

import numpy as np

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "vision_transforms.npz")


def make_arrays():
    """The raw pixel arrays every case starts from (HWC for PIL/ndarray inputs, CHW for tensors)."""
    rng = np.random.default_rng(1234)
    yy, xx = np.mgrid[0:10, 0:12]
    smooth = np.stack([xx * 20 + yy * 3, yy * 25 + 5, (xx + yy) * 11], -1) % 256
    noisy = np.clip(smooth + rng.integers(-30, 30, smooth.shape), 0, 255)
    return {
        "hwc": noisy.astype(np.uint8),
        "hwc2": rng.integers(0, 256, (9, 7, 3)).astype(np.uint8),
        "gray": rng.integers(0, 256, (10, 12)).astype(np.uint8),
        "u8": np.ascontiguousarray(noisy.transpose(2, 0, 1)).astype(np.uint8),
        "f32": rng.random((3, 10, 12)).astype(np.float32),
        "f64": rng.random((3, 8, 9)),
        "b8": rng.integers(0, 256, (2, 3, 9, 11)).astype(np.uint8),
        "bf": rng.random((2, 3, 9, 11)).astype(np.float32),
        "g8": rng.integers(0, 256, (1, 10, 12)).astype(np.uint8),
        "i16": rng.integers(0, 32767, (1, 5, 6)).astype(np.int16),
        "big": rng.integers(0, 256, (3, 31, 37)).astype(np.uint8),
        "bigf": rng.random((3, 31, 37)).astype(np.float32),
        "vec": rng.random((2 * 3 * 4, 2 * 3 * 4)).astype(np.float32),
    }


def make_inputs(lib, Image):
    """Build the named inputs for one library (torch or numtorch) and PIL."""
    a = make_arrays()
    env = {k: lib.from_numpy(a[k].copy()) for k in ("u8", "f32", "f64", "b8", "bf", "g8", "i16", "big",
                                                    "bigf", "vec")}
    env["pil"] = Image.fromarray(a["hwc"], "RGB")
    env["pil2"] = Image.fromarray(a["hwc2"], "RGB")
    env["pilL"] = Image.fromarray(a["gray"], "L")
    env["pilbig"] = Image.fromarray(np.ascontiguousarray(a["big"].transpose(1, 2, 0)), "RGB")
    env["pilF"] = Image.fromarray(a["f32"][0], "F")
    env["pilI"] = Image.fromarray(a["gray"].astype(np.int32) * 100, "I")
    env["pil1"] = Image.fromarray(a["gray"] > 127)
    env["pilA"] = Image.fromarray(np.concatenate([a["hwc"], a["hwc"][..., :1]], -1), "RGBA")
    env["arr"] = a["hwc"].copy()
    env["arr2"] = a["gray"].copy()
    env["arrf"] = a["f32"].transpose(1, 2, 0).copy()
    return env


# (name, expression, seed).  Expressions see: T (transforms), F (functional), IM (InterpolationMode),
# torch (the library under test), np, and the inputs of make_inputs.  A seed means manual_seed(seed) and
# random.seed(seed) run first, so random transforms draw the same numbers in both libraries.
CASES = [
    # conversions
    ("to_tensor_pil", "F.to_tensor(pil)", None),
    ("to_tensor_L", "T.ToTensor()(pilL)", None),
    ("to_tensor_F", "F.to_tensor(pilF)", None),
    ("to_tensor_I", "F.to_tensor(pilI)", None),
    ("to_tensor_1", "F.to_tensor(pil1)", None),
    ("to_tensor_rgba", "F.to_tensor(pilA)", None),
    ("to_tensor_arr", "F.to_tensor(arr)", None),
    ("to_tensor_arr2", "F.to_tensor(arr2)", None),
    ("to_tensor_arrf", "F.to_tensor(arrf)", None),
    ("pil_to_tensor", "T.PILToTensor()(pil)", None),
    ("pil_to_tensor_L", "F.pil_to_tensor(pilL)", None),
    ("pil_to_tensor_I", "F.pil_to_tensor(pilI)", None),
    ("to_pil_u8", "T.ToPILImage()(u8)", None),
    ("to_pil_f32", "F.to_pil_image(f32)", None),
    ("to_pil_g8", "F.to_pil_image(g8)", None),
    ("to_pil_2d", "F.to_pil_image(g8[0])", None),
    ("to_pil_f_mode", "F.to_pil_image(f32[:1], mode='F')", None),
    ("to_pil_rgba", "F.to_pil_image(torch.cat([u8, g8]))", None),
    ("to_pil_la", "F.to_pil_image(torch.cat([g8, g8]))", None),
    ("to_pil_i16", "F.to_pil_image(i16)", None),
    ("to_pil_arr", "F.to_pil_image(arr)", None),
    ("to_pil_hsv", "F.to_pil_image(u8, mode='HSV')", None),
    ("cvt_u8_f32", "T.ConvertImageDtype(torch.float32)(u8)", None),
    ("cvt_u8_f64", "F.convert_image_dtype(u8, torch.float64)", None),
    ("cvt_f32_u8", "F.convert_image_dtype(f32, torch.uint8)", None),
    ("cvt_f32_i16", "F.convert_image_dtype(f32, torch.int16)", None),
    ("cvt_u8_i32", "F.convert_image_dtype(u8, torch.int32)", None),
    ("cvt_i16_u8", "F.convert_image_dtype(i16, torch.uint8)", None),
    ("cvt_f64_f32", "F.convert_image_dtype(f64, torch.float32)", None),
    ("cvt_same", "F.convert_image_dtype(u8, torch.uint8)", None),
    ("normalize", "T.Normalize([0.5, 0.4, 0.3], [0.2, 0.25, 0.3])(f32)", None),
    ("normalize_b", "F.normalize(bf, (0.1,), (0.7,))", None),
    ("normalize_f64", "F.normalize(f64, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5])", None),
    ("normalize_inplace", "(lambda y: (F.normalize(y, [0.5] * 3, [0.2] * 3, inplace=True), y))(f32.clone())",
     None),
    ("lintrans", "T.LinearTransformation(vec, vec[0])(bf[:, :, :2, :4].reshape(2, 2, 3, 4))", None),
    # resize
    ("resize_pil", "T.Resize(7)(pil)", None),
    ("resize_pil_tuple", "F.resize(pil, [13, 5])", None),
    ("resize_pil_nearest", "F.resize(pil, [6, 15], IM.NEAREST)", None),
    ("resize_pil_bicubic", "F.resize(pilbig, [12, 17], IM.BICUBIC)", None),
    ("resize_pil_lanczos", "F.resize(pilbig, 9, IM.LANCZOS)", None),
    ("resize_pil_box", "F.resize(pilbig, 9, IM.BOX)", None),
    ("resize_pil_hamming", "F.resize(pilbig, 9, IM.HAMMING)", None),
    ("resize_pil_int", "F.resize(pilL, 6, 2)", None),
    ("resize_pil_max", "F.resize(pilbig, 10, max_size=12)", None),
    ("resize_u8", "T.Resize(7)(u8)", None),
    ("resize_u8_up", "F.resize(u8, [17, 23])", None),
    ("resize_f32", "F.resize(f32, [6, 7])", None),
    ("resize_f32_big", "F.resize(bigf, [10, 13])", None),
    ("resize_u8_big", "F.resize(big, [10, 13])", None),
    ("resize_u8_big_1d", "F.resize(big, [31, 13])", None),
    ("resize_u8_noaa", "F.resize(big, [10, 13], antialias=False)", None),
    ("resize_bicubic_f", "F.resize(bigf, [11, 9], IM.BICUBIC)", None),
    ("resize_bicubic_u8", "F.resize(big, [11, 9], IM.BICUBIC)", None),
    ("resize_bicubic_up", "F.resize(u8, [15, 21], IM.BICUBIC)", None),
    ("resize_bicubic_noaa", "F.resize(big, [11, 9], IM.BICUBIC, antialias=False)", None),
    ("resize_nearest", "F.resize(big, [11, 9], IM.NEAREST)", None),
    ("resize_nearest_exact", "F.resize(big, [11, 9], IM.NEAREST_EXACT)", None),
    ("resize_batch", "T.Resize((5, 8))(b8)", None),
    ("resize_f64", "F.resize(f64, [5, 4])", None),
    ("resize_max", "F.resize(big, 10, max_size=12)", None),
    ("resize_same", "F.resize(u8, [10, 12])", None),
    ("resize_repr", "repr(T.Resize(5))", None),
    # crops, flips, pads
    ("crop_pil", "F.crop(pil, 2, 3, 5, 6)", None),
    ("crop_t", "F.crop(u8, 2, 3, 5, 6)", None),
    ("crop_out", "F.crop(u8, -2, 8, 5, 6)", None),
    ("crop_pil_out", "F.crop(pil, -2, 8, 5, 6)", None),
    ("center_crop", "T.CenterCrop(5)(u8)", None),
    ("center_crop_pil", "T.CenterCrop((4, 7))(pil)", None),
    ("center_crop_pad", "F.center_crop(u8, [13, 15])", None),
    ("center_crop_pad_pil", "F.center_crop(pil, [13, 15])", None),
    ("center_crop_b", "F.center_crop(b8, 4)", None),
    ("hflip", "F.hflip(u8)", None),
    ("hflip_pil", "F.hflip(pil)", None),
    ("vflip", "F.vflip(b8)", None),
    ("vflip_pil", "F.vflip(pil)", None),
    ("pad_const", "T.Pad(2, fill=7)(u8)", None),
    ("pad_pil", "T.Pad(2, fill=7)(pil)", None),
    ("pad_pil_rgb_fill", "F.pad(pil, [1, 2], fill=(1, 2, 3))", None),
    ("pad_pil_L", "F.pad(pilL, [1, 2, 3, 4])", None),
    ("pad_4", "F.pad(u8, [1, 2, 3, 4])", None),
    ("pad_edge", "F.pad(u8, [1, 2, 3, 4], padding_mode='edge')", None),
    ("pad_reflect", "F.pad(b8, [2, 1], padding_mode='reflect')", None),
    ("pad_symmetric", "F.pad(u8, [3, 1, 2, 4], padding_mode='symmetric')", None),
    ("pad_symmetric_b", "F.pad(bf, 2, padding_mode='symmetric')", None),
    ("pad_neg", "F.pad(u8, [-1, 2, 1, -2], padding_mode='symmetric')", None),
    ("pad_pil_edge", "F.pad(pil, [1, 2, 3, 4], padding_mode='edge')", None),
    ("pad_pil_reflect", "F.pad(pil, 2, padding_mode='reflect')", None),
    ("pad_pil_symmetric", "F.pad(pilL, (3,), padding_mode='symmetric')", None),
    ("pad_pil_neg", "F.pad(pil, [-1, 2, 1, -2], padding_mode='edge')", None),
    ("pad_float", "F.pad(f32, [1, 1], fill=0.5)", None),
    ("five_crop", "T.FiveCrop(4)(u8)", None),
    ("five_crop_pil", "F.five_crop(pil, [4, 5])", None),
    ("ten_crop", "T.TenCrop(4)(u8)", None),
    ("ten_crop_v", "F.ten_crop(pil, [4, 5], vertical_flip=True)", None),
    ("resized_crop", "F.resized_crop(big, 3, 4, 20, 25, [8, 9])", None),
    ("resized_crop_pil", "F.resized_crop(pilbig, 3, 4, 20, 25, [8, 9])", None),
    # colour
    ("gray_pil", "T.Grayscale()(pil)", None),
    ("gray_pil3", "T.Grayscale(3)(pil)", None),
    ("gray_t", "F.rgb_to_grayscale(u8)", None),
    ("gray_t3", "F.rgb_to_grayscale(bf, 3)", None),
    ("gray_f", "T.Grayscale()(f32)", None),
    ("gray_1ch", "F.rgb_to_grayscale(g8)", None),
    ("to_grayscale", "F.to_grayscale(pil, 3)", None),
    ("bright_pil", "F.adjust_brightness(pil, 1.3)", None),
    ("bright_u8", "F.adjust_brightness(u8, 1.3)", None),
    ("bright_f", "F.adjust_brightness(f32, 0.6)", None),
    ("contrast_pil", "F.adjust_contrast(pil, 0.7)", None),
    ("contrast_u8", "F.adjust_contrast(u8, 1.6)", None),
    ("contrast_f", "F.adjust_contrast(bf, 0.4)", None),
    ("contrast_g", "F.adjust_contrast(g8, 1.4)", None),
    ("sat_pil", "F.adjust_saturation(pil, 1.8)", None),
    ("sat_u8", "F.adjust_saturation(u8, 0.3)", None),
    ("sat_f", "F.adjust_saturation(f32, 1.8)", None),
    ("hue_pil", "F.adjust_hue(pil, 0.2)", None),
    ("hue_pil_neg", "F.adjust_hue(pil, -0.3)", None),
    ("hue_f", "F.adjust_hue(f32, 0.2)", None),
    ("hue_u8", "F.adjust_hue(u8, -0.35)", None),
    ("hue_b", "F.adjust_hue(bf, 0.45)", None),
    ("gamma_pil", "F.adjust_gamma(pil, 0.7, 1.1)", None),
    ("gamma_f", "F.adjust_gamma(f32, 1.5)", None),
    ("gamma_u8", "F.adjust_gamma(u8, 0.5, 0.9)", None),
    ("sharp_pil", "F.adjust_sharpness(pil, 1.7)", None),
    ("sharp_u8", "F.adjust_sharpness(u8, 1.7)", None),
    ("sharp_f", "F.adjust_sharpness(bf, 0.3)", None),
    ("invert_pil", "F.invert(pil)", None),
    ("invert_u8", "F.invert(u8)", None),
    ("invert_f", "F.invert(f32)", None),
    ("posterize_pil", "F.posterize(pil, 3)", None),
    ("posterize_u8", "F.posterize(b8, 2)", None),
    ("solarize_pil", "F.solarize(pil, 100)", None),
    ("solarize_u8", "F.solarize(u8, 100)", None),
    ("solarize_f", "F.solarize(f32, 0.4)", None),
    ("autocontrast_pil", "F.autocontrast(pil)", None),
    ("autocontrast_u8", "F.autocontrast(b8)", None),
    ("autocontrast_f", "F.autocontrast(f32 * 0.5 + 0.2)", None),
    ("equalize_pil", "F.equalize(pilbig)", None),
    ("equalize_u8", "F.equalize(big)", None),
    ("equalize_b", "F.equalize(b8)", None),
    ("blur_pil", "F.gaussian_blur(pil, [3, 5], [0.8, 1.2])", None),
    ("blur_u8", "F.gaussian_blur(u8, 5)", None),
    ("blur_f", "F.gaussian_blur(bf, [5, 3], 1.1)", None),
    ("blur_T", "T.GaussianBlur(3, sigma=(0.5, 2.0))(f32)", 7),
    ("blur_T_pil", "T.GaussianBlur((5, 3))(pil)", 8),
    ("erase", "F.erase(f32, 2, 3, 4, 5, torch.tensor([0.1, 0.2, 0.3])[:, None, None])", None),
    # geometry
    ("rotate_pil", "F.rotate(pil, 30)", None),
    ("rotate_pil_bil", "F.rotate(pilbig, -17.5, IM.BILINEAR, fill=(9, 8, 7))", None),
    ("rotate_pil_expand", "F.rotate(pil, 45, expand=True, center=[3, 4])", None),
    ("rotate_u8", "F.rotate(u8, 30)", None),
    ("rotate_u8_90", "F.rotate(u8, 90)", None),
    ("rotate_bil", "F.rotate(bigf, -17.5, IM.BILINEAR)", None),
    ("rotate_bil_fill", "F.rotate(big, 33, IM.BILINEAR, fill=[10., 20., 30.])", None),
    ("rotate_expand", "F.rotate(u8, 45, expand=True)", None),
    ("rotate_expand_bil", "F.rotate(bf, 20, IM.BILINEAR, expand=True, fill=[1.0])", None),
    ("rotate_center", "F.rotate(u8, 25, center=[3, 4], fill=[5.0])", None),
    ("affine_pil", "F.affine(pil, 15, [2, -1], 1.2, [10, 5])", None),
    ("affine_pil_bil", "F.affine(pilbig, -30, [3, 2], 0.8, 12, IM.BILINEAR, fill=4)", None),
    ("affine_u8", "F.affine(u8, 15, [2, -1], 1.2, [10, 5])", None),
    ("affine_bil", "F.affine(bigf, -30, [3, 2], 0.8, 12, IM.BILINEAR)", None),
    ("affine_bil_fill", "F.affine(b8, 40, [1, 1], 1.1, [0, 20], IM.BILINEAR, fill=[50.0, 60.0, 70.0])",
     None),
    ("affine_center", "F.affine(u8, 10, [0, 0], 1.0, 0, center=[2, 3])", None),
    ("persp_pil", "F.perspective(pil, [[0, 0], [11, 0], [11, 9], [0, 9]], [[1, 2], [10, 0], [9, 8], [2, 9]])",
     None),
    ("persp_f", "F.perspective(bigf, [[0, 0], [36, 0], [36, 30], [0, 30]], "
     "[[3, 2], [33, 1], [35, 27], [2, 29]])", None),
    ("persp_u8_nearest", "F.perspective(u8, [[0, 0], [11, 0], [11, 9], [0, 9]], [[1, 2], [10, 0], [9, 8], "
     "[2, 9]], IM.NEAREST, fill=[3.0, 4.0, 5.0])", None),
    ("persp_coeffs", "F._get_perspective_coeffs([[0, 0], [11, 0], [11, 9], [0, 9]], "
     "[[1, 2], [10, 0], [9, 8], [2, 9]])", None),
    ("inverse_affine", "F._get_inverse_affine_matrix([1.0, 2.0], 30.0, [3.0, 4.0], 1.5, [5.0, 6.0])", None),
    # random transforms (seeded)
    ("rcrop", "T.RandomCrop(5)(u8)", 0),
    ("rcrop_pil", "T.RandomCrop((4, 6))(pil)", 1),
    ("rcrop_pad", "T.RandomCrop(8, padding=2, padding_mode='reflect')(b8)", 2),
    ("rcrop_pad_needed", "T.RandomCrop((12, 14), pad_if_needed=True, fill=3)(u8)", 3),
    ("rcrop_pad_needed_pil", "T.RandomCrop((12, 14), pad_if_needed=True, padding_mode='edge')(pil)", 3),
    ("rcrop_params", "T.RandomCrop.get_params(u8, (4, 5))", 4),
    ("rrc", "T.RandomResizedCrop(6)(big)", 5),
    ("rrc_pil", "T.RandomResizedCrop((7, 5), scale=(0.3, 0.9))(pilbig)", 6),
    ("rrc_f", "T.RandomResizedCrop(8, ratio=(0.5, 2.0), interpolation=IM.BICUBIC)(bigf)", 7),
    ("rrc_params", "[T.RandomResizedCrop.get_params(big, (0.08, 1.0), (0.75, 4 / 3)) for _ in range(5)]", 8),
    ("rrc_fallback", "T.RandomResizedCrop.get_params(big, (5.0, 6.0), (0.75, 4 / 3))", 9),
    ("rhflip", "[T.RandomHorizontalFlip()(u8) for _ in range(4)]", 10),
    ("rhflip_pil", "[T.RandomHorizontalFlip(0.7)(pil) for _ in range(3)]", 11),
    ("rvflip", "[T.RandomVerticalFlip()(b8) for _ in range(4)]", 12),
    ("rrot", "T.RandomRotation(30)(u8)", 13),
    ("rrot_pil", "T.RandomRotation((10, 50), IM.BILINEAR, expand=True, fill=5)(pil)", 14),
    ("rrot_bil", "T.RandomRotation(30, IM.BILINEAR, center=(3, 3), fill=(1, 2, 3))(bigf)", 15),
    ("rrot_params", "T.RandomRotation.get_params([-10.0, 20.0])", 16),
    ("rgray", "[T.RandomGrayscale(0.5)(u8) for _ in range(4)]", 17),
    ("rgray_pil", "[T.RandomGrayscale(0.5)(pil) for _ in range(4)]", 18),
    ("jitter_pil", "T.ColorJitter(0.4, 0.4, 0.4, 0.1)(pil)", 19),
    ("jitter_u8", "T.ColorJitter(0.4, 0.4, 0.4, 0.1)(u8)", 20),
    ("jitter_f", "T.ColorJitter(brightness=(0.5, 1.5), hue=(-0.2, 0.3))(f32)", 21),
    ("jitter_params", "T.ColorJitter.get_params((0.6, 1.4), None, (0.0, 2.0), (-0.1, 0.1))", 22),
    ("raffine", "T.RandomAffine(20, (0.1, 0.2), (0.8, 1.2), 10)(u8)", 23),
    ("raffine_pil", "T.RandomAffine(20, (0.1, 0.2), (0.8, 1.2), (-5, 5, -10, 10), fill=7)(pil)", 24),
    ("raffine_bil", "T.RandomAffine(0, shear=(5, 15, 2, 4), interpolation=IM.BILINEAR)(bigf)", 25),
    ("raffine_params", "T.RandomAffine.get_params([-5.0, 5.0], [0.2, 0.3], [0.5, 1.5], "
     "[-3.0, 3.0, 1.0, 2.0], [37, 31])", 26),
    ("rpersp", "[T.RandomPerspective(0.4)(bigf) for _ in range(2)]", 27),
    ("rpersp_pil", "T.RandomPerspective(0.5, p=1.0, fill=(1, 2, 3))(pilbig)", 28),
    ("rpersp_u8", "T.RandomPerspective(0.3, p=1.0, interpolation=IM.NEAREST)(big)", 29),
    ("rpersp_params", "T.RandomPerspective.get_params(37, 31, 0.6)", 30),
    ("rerase", "[T.RandomErasing(p=0.8)(f32) for _ in range(3)]", 31),
    ("rerase_random", "T.RandomErasing(p=1.0, value='random')(bf)", 32),
    ("rerase_rgb", "T.RandomErasing(p=1.0, value=(0.1, 0.2, 0.3), scale=(0.1, 0.2))(big)", 33),
    ("rerase_fail", "T.RandomErasing.get_params(f32, (0.98, 0.99), (0.3, 3.3), [0.0])", 34),
    ("rapply", "[T.RandomApply([T.CenterCrop(6), T.Pad(1)], p=0.5)(u8) for _ in range(4)]", 35),
    ("rchoice", "[T.RandomChoice([T.CenterCrop(6), T.Pad(1), F.hflip])(u8) for _ in range(4)]", 36),
    ("rchoice_p", "[T.RandomChoice([T.CenterCrop(6), T.Pad(1)], p=[0.2, 0.8])(pil) for _ in range(4)]", 37),
    ("rorder", "[T.RandomOrder([T.CenterCrop(6), T.Pad(1), T.Resize(4)])(u8) for _ in range(3)]", 38),
    ("rinvert", "[T.RandomInvert()(u8) for _ in range(3)]", 39),
    ("rposterize", "[T.RandomPosterize(3)(pil) for _ in range(3)]", 40),
    ("rsolarize", "[T.RandomSolarize(128)(u8) for _ in range(3)]", 41),
    ("rsharp", "[T.RandomAdjustSharpness(2.0)(f32) for _ in range(3)]", 42),
    ("rautocontrast", "[T.RandomAutocontrast()(pil) for _ in range(3)]", 43),
    ("requalize", "[T.RandomEqualize()(u8) for _ in range(3)]", 44),
    ("pipeline", "T.Compose([T.RandomResizedCrop(8), T.RandomHorizontalFlip(), T.ToTensor(), "
     "T.Normalize([0.5] * 3, [0.5] * 3)])(pilbig)", 45),
    ("pipeline_t", "T.Compose([T.ConvertImageDtype(torch.float32), T.RandomRotation(15), "
     "T.RandomErasing(1.0), T.Lambda(lambda y: y * 2)])(u8)", 46),
    ("lambda", "T.Lambda(lambda y: F.hflip(y))(u8)", None),
    # reprs
    ("repr_compose", "repr(T.Compose([T.Resize(4), T.CenterCrop(3), T.ToTensor(), "
     "T.Normalize((0.5,), (0.2,))]))", None),
    ("repr_random", "repr(T.RandomResizedCrop(5)) + repr(T.ColorJitter(0.2, hue=0.1)) "
     "+ repr(T.RandomRotation(5)) + repr(T.RandomAffine(3, shear=2, interpolation=IM.BILINEAR)) "
     "+ repr(T.RandomApply([T.Pad(1)]))", None),
    ("repr_misc", "repr(T.RandomCrop(3, 1)) + repr(T.Pad(2)) + repr(T.GaussianBlur(3)) "
     "+ repr(T.RandomErasing())"
     " + repr(T.ToPILImage()) + repr(T.Grayscale()) + repr(T.RandomChoice([T.Pad(1)])) + repr(T.TenCrop(3))",
     None),
    ("elastic", "T.ElasticTransform(20.0, 3.0)(bigf)", 47),
    ("elastic_u8", "T.ElasticTransform((5.0, 9.0), (1.0, 2.0), fill=3)(u8)", 48),
    ("elastic_pil", "T.ElasticTransform(4.0, 0.0, IM.NEAREST)(pil)", 49),
    ("elastic_f", "F.elastic_transform(f32, torch.linspace(-0.1, 0.1, 240).reshape(1, 10, 12, 2))", None),
    # automatic augmentation policies
    ("autoaug_imagenet", "[T.AutoAugment()(big) for _ in range(6)]", 51),
    ("autoaug_cifar_pil", "[T.AutoAugment(T.AutoAugmentPolicy.CIFAR10, fill=[1, 2, 3])(pilbig) "
     "for _ in range(6)]", 52),
    ("autoaug_svhn", "[T.AutoAugment(T.AutoAugmentPolicy.SVHN, IM.BILINEAR, fill=7)(b8) "
     "for _ in range(6)]", 53),
    ("randaug", "[T.RandAugment()(big) for _ in range(5)]", 54),
    ("randaug_pil", "[T.RandAugment(3, 5, 11, fill=[9, 9, 9])(pilbig) for _ in range(5)]", 55),
    ("trivialaug", "[T.TrivialAugmentWide()(big) for _ in range(8)]", 56),
    ("trivialaug_pil", "[T.TrivialAugmentWide(interpolation=IM.BILINEAR)(pilbig) for _ in range(8)]", 57),
    ("augmix", "[T.AugMix()(big) for _ in range(3)]", 58),
    ("augmix_b", "T.AugMix(severity=5, mixture_width=2, chain_depth=2, alpha=0.5, all_ops=False)(b8)", 59),
    ("augmix_pil", "T.AugMix(fill=[3, 4, 5])(pilbig)", 60),
    ("augmix_f", "T.AugMix(alpha=2.5)(bigf * 255)", 61),
    ("dirichlet", "T.AugMix()._sample_dirichlet(torch.tensor([[0.3, 1.0, 2.5], [1.0, 1.0, 1.0]]))", 62),
    ("repr_auto", "repr(T.AutoAugment()) + repr(T.RandAugment()) + repr(T.TrivialAugmentWide()) "
     "+ repr(T.AugMix())", None),
    ("err_augmix", "T.AugMix(severity=11)", None),
    ("err_autoaug_op", "T.autoaugment._apply_op(u8, 'Blur', 1.0, IM.NEAREST, None)", None),
    # batched (..., C, H, W) tensors
    ("b_rotate", "F.rotate(b8, 20, IM.BILINEAR, fill=[4.0])", None),
    ("b_persp", "F.perspective(bf, [[0, 0], [10, 0], [10, 8], [0, 8]], "
     "[[1, 1], [9, 0], [10, 7], [1, 8]])", None),
    ("b_blur", "F.gaussian_blur(b8, [3, 5], [1.0, 2.0])", None),
    ("b_5d", "F.adjust_saturation(torch.stack([b8, b8.flip(0)]), 0.5)", None),
    ("b_5d_gray", "F.rgb_to_grayscale(torch.stack([bf, bf]), 3)", None),
    ("b_erase", "F.erase(bf, 1, 2, 3, 4, torch.tensor(0.5))", None),
    ("b_sharp", "F.adjust_sharpness(b8, 0.2)", None),
    ("b_rrc", "T.RandomResizedCrop(5, antialias=False)(bf)", 50),
    ("empty_flip", "F.hflip(u8[:, :0])", None),
    ("gray2d_pad", "F.pad(g8[0], [1, 2])", None),
    ("gray2d_crop", "F.center_crop(g8[0], [4, 6])", None),
    ("thin_sharp", "F.adjust_sharpness(u8[:, :2], 1.5)", None),
    ("resize_1px", "F.resize(u8, [1, 1])", None),
    ("resize_up_big", "F.resize(g8, [40, 45], IM.BICUBIC)", None),
    # errors: the fixture records torchvision's exception type and message
    ("err_to_tensor", "F.to_tensor([1, 2])", None),
    ("err_to_tensor_dims", "F.to_tensor(np.zeros((2, 2, 2, 2), np.uint8))", None),
    ("err_to_pil_channels", "F.to_pil_image(torch.zeros(5, 2, 2))", None),
    ("err_to_pil_mode", "F.to_pil_image(u8, mode='L')", None),
    ("err_to_pil_type", "F.to_pil_image([1])", None),
    ("err_normalize_int", "F.normalize(u8, [0.5], [0.5])", None),
    ("err_normalize_std", "F.normalize(f32, [0.5], [0.0])", None),
    ("err_normalize_2d", "F.normalize(f32[0], [0.5], [0.5])", None),
    ("err_resize_size", "F.resize(u8, [1, 2, 3])", None),
    ("err_resize_max", "F.resize(u8, [4, 5], max_size=9)", None),
    ("err_resize_max_small", "F.resize(u8, 8, max_size=8)", None),
    ("err_resize_interp", "F.resize(u8, 4, 'bilinear')", None),
    ("err_resize_T", "T.Resize(3.5)", None),
    ("err_pad_mode", "F.pad(u8, 1, padding_mode='wrap')", None),
    ("err_pad_len", "F.pad(u8, [1, 2, 3])", None),
    ("err_pad_pil_len", "F.pad(pil, [1, 2, 3])", None),
    ("err_pad_fill", "F.pad(u8, 1, fill='x')", None),
    ("err_crop_big", "T.RandomCrop(20)(u8)", 0),
    ("err_five_crop", "F.five_crop(u8, 11)", None),
    ("err_gray_ch", "F.rgb_to_grayscale(torch.cat([u8, u8]))", None),
    ("err_gray_n", "F.rgb_to_grayscale(u8, 2)", None),
    ("err_gray_pil_n", "F.to_grayscale(pil, 2)", None),
    ("err_bright", "F.adjust_brightness(u8, -1)", None),
    ("err_hue", "F.adjust_hue(u8, 0.6)", None),
    ("err_hue_pil", "F.adjust_hue(pil, -0.6)", None),
    ("err_gamma", "F.adjust_gamma(f32, -1)", None),
    ("err_posterize_f", "F.posterize(f32, 3)", None),
    ("err_posterize_bits", "F.posterize(u8, 9)", None),
    ("err_solarize", "F.solarize(u8, 300)", None),
    ("err_equalize", "F.equalize(f32)", None),
    ("err_rotate_interp", "F.rotate(u8, 10, IM.BICUBIC)", None),
    ("err_rotate_angle", "F.rotate(u8, '10')", None),
    ("err_rotate_fill", "F.rotate(u8, 10, fill=[1.0, 2.0])", None),
    ("err_affine_scale", "F.affine(u8, 0, [0, 0], 0.0, 0)", None),
    ("err_affine_translate", "F.affine(u8, 0, [0], 1.0, 0)", None),
    ("err_persp_points", "F.perspective(u8, [[0, 0]], [[0, 0]])", None),
    ("err_blur_even", "F.gaussian_blur(u8, 4)", None),
    ("err_blur_sigma", "F.gaussian_blur(u8, 3, -1.0)", None),
    ("err_blur_T", "T.GaussianBlur(3, (2.0, 1.0))", None),
    ("err_erase_pil", "F.erase(pil, 0, 0, 1, 1, torch.tensor(0.0))", None),
    ("err_rerase_value", "T.RandomErasing(value='x')", None),
    ("err_rerase_scale", "T.RandomErasing(scale=(0.5, 2.0))", None),
    ("err_rerase_channels", "T.RandomErasing(p=1.0, value=[1.0, 2.0])(f32)", 1),
    ("err_jitter", "T.ColorJitter(brightness=-1)", None),
    ("err_jitter_hue", "T.ColorJitter(hue=0.7)", None),
    ("err_jitter_type", "T.ColorJitter(contrast='a')", None),
    ("err_rotation_deg", "T.RandomRotation(-5)", None),
    ("err_rotation_center", "T.RandomRotation(5, center=[1])", None),
    ("err_affine_translate_T", "T.RandomAffine(5, translate=(0.5, 1.5))", None),
    ("err_affine_scale_T", "T.RandomAffine(5, scale=(0.0, 1.0))", None),
    ("err_affine_shear_T", "T.RandomAffine(5, shear=[1, 2, 3])", None),
    ("err_lambda", "T.Lambda(3)", None),
    ("err_choice_p", "T.RandomChoice([T.Pad(1)], p=0.5)", None),
    ("err_random_transforms", "T.RandomOrder(T.Pad(1))", None),
    ("err_cvt", "F.convert_image_dtype(f32, torch.int32)", None),
    ("err_cvt_type", "F.convert_image_dtype(arr, torch.float32)", None),
    ("err_not_image", "F.hflip(torch.zeros(3))", None),
    ("err_pil_type", "F.get_dimensions([1])", None),
    ("err_lintrans", "T.LinearTransformation(vec[:, :3], vec[0])", None),
    ("err_lintrans_shape", "T.LinearTransformation(vec, vec[0])(f32)", None),
    ("err_elastic", "F.elastic_transform(f32, torch.zeros(1, 2, 2, 2))", None),
    ("err_center_crop_T", "T.CenterCrop([1, 2, 3])", None),
    ("err_resize_lanczos_t", "F.resize(u8, 5, IM.LANCZOS)", None),
    ("err_resize_box_t", "F.resize(u8, 5, IM.BOX)", None),
    ("err_resize_2d", "F.resize(g8[0], [5, 5])", None),
    ("err_resize_2d_aa", "F.resize(g8[0], [5, 5], antialias=False)", None),
    ("err_resize_2d_nearest", "F.resize(g8[0], [5, 5], IM.NEAREST)", None),
    ("err_rotate_2d", "F.rotate(g8[0], 10)", None),
    ("err_blur_2d", "F.gaussian_blur(g8[0], 3)", None),
    ("err_pad_tuple_fill_t", "F.pad(u8, 1, fill=(1, 2, 3))", None),
    ("err_hue_channels", "F.adjust_hue(torch.cat([g8, g8]), 0.1)", None),
    ("err_rotate_pil_fill", "F.rotate(pil, 10, fill=(1, 2))", None),
    ("err_to_pil_i64", "F.to_pil_image(i16.to(torch.int64))", None),
    ("err_to_pil_2ch_mode", "F.to_pil_image(torch.cat([g8, g8]), mode='RGB')", None),
    ("err_to_pil_1ch_mode", "F.to_pil_image(g8, mode='RGB')", None),
    ("err_normalize_type", "F.normalize(arr, [0.5], [0.5])", None),
    ("err_crop_pil_type", "F.crop(arr, 0, 0, 1, 1)", None),
    ("err_pil_to_tensor", "F.pil_to_tensor(u8)", None),
    ("err_posterize_2d", "F.posterize(g8[0], 2)", None),
    ("err_equalize_5d", "F.equalize(torch.stack([b8, b8]))", None),
    ("err_sharp_pil_neg", "F.adjust_sharpness(u8, -0.5)", None),
    ("err_resized_crop_T", "T.RandomResizedCrop(5, scale=0.5)", None),
    ("err_persp_interp", "F.perspective(u8, [[0, 0], [1, 0], [1, 1], [0, 1]], "
     "[[0, 0], [1, 0], [1, 1], [0, 1]], IM.BICUBIC)", None),
    ("err_affine_shear_len", "F.affine(u8, 0, [0, 0], 1.0, [1, 2, 3])", None),
    ("err_rrotation_fill", "T.RandomRotation(5, fill=None, center=3)", None),
    ("err_elastic_alpha", "T.ElasticTransform(alpha=3)", None),
    ("err_convert_int_image", "F.convert_image_dtype(f64, torch.int64)", None),
    # metadata helpers
    ("dims", "[F.get_dimensions(u8), F.get_dimensions(pil), F.get_image_size(b8), F.get_image_size(pilL), "
     "F.get_image_num_channels(g8), F.get_image_num_channels(pilA)]", None),
]

# Every other case is compared bit for bit.  These go through numtorch ops whose float rounding is not
# (yet) torch's: mean over a float32 image (contrast_f), float32 pow (gamma_f), and a 25x25 conv2d
# blur of the random field (elastic); they are compared with this absolute tolerance.
TOLERANCE = {"contrast_f": 1e-6, "gamma_f": 1e-6, "elastic": 1e-5}


def _encode(out, key, store, Image, torch):
    """Flatten one result into named NumPy arrays."""
    if isinstance(out, torch.Tensor):
        store[key] = out.detach().cpu().numpy().copy()
        store[key + "@dtype"] = np.array(str(out.dtype))
    elif isinstance(out, Image.Image):
        store[key] = np.asarray(out).copy()
        store[key + "@mode"] = np.array(out.mode)
        store[key + "@size"] = np.array(out.size)
    elif isinstance(out, (tuple, list)):
        store[key + "@len"] = np.array(len(out))
        for i, o in enumerate(out):
            _encode(o, f"{key}/{i}", store, Image, torch)
    elif isinstance(out, str):
        store[key] = np.array(out)
    elif out is None:
        store[key + "@none"] = np.array(True)
    else:
        store[key] = np.array(out)


def run_case(lib, T, F, IM, env, expr, seed):
    if seed is not None:
        lib.manual_seed(seed)
        random.seed(seed)
    ns = dict(env, T=T, F=F, IM=IM, torch=lib, np=np)
    return eval(expr, ns)


def main():
    import torch
    import torchvision
    import torchvision.transforms as T
    import torchvision.transforms.functional as F
    from PIL import Image
    import warnings
    warnings.simplefilter("ignore")
    store, quiet = {}, []
    for name, expr, seed in CASES:
        env = make_inputs(torch, Image)
        try:
            out = run_case(torch, T, F, T.InterpolationMode, env, expr, seed)
        except Exception as exc:  # noqa: BLE001 - the error itself is the expected result
            store[name + "@raises"] = np.array(json.dumps([type(exc).__name__, str(exc)]))
            continue
        if name.startswith("err_"):
            quiet.append(name)
        _encode(out, name, store, Image, torch)
    if quiet:
        raise AssertionError(f"expected these cases to raise: {quiet}")
    versions = {"torch": torch.__version__, "torchvision": torchvision.__version__, "PIL": Image.__version__}
    store["@versions"] = np.array(json.dumps(versions))
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    tmp = FIXTURE + ".tmp.npz"
    np.savez_compressed(tmp, **store)
    os.replace(tmp, FIXTURE)
    print(f"wrote {len(CASES)} cases, {len(store)} arrays, {os.path.getsize(FIXTURE)} bytes to {FIXTURE}")


if __name__ == "__main__":
    sys.exit(main())
