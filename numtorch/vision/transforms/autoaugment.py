"""Learned and random augmentation policies: AutoAugment, RandAugment, TrivialAugmentWide, AugMix."""
import math
from enum import Enum

import numtorch
from numtorch._ops.gamma import _sample_dirichlet
from numtorch.nn import Module

from . import functional as F
from .functional import InterpolationMode

__all__ = ["AutoAugmentPolicy", "AutoAugment", "RandAugment", "TrivialAugmentWide", "AugMix"]


def _apply_op(img, op_name, magnitude, interpolation, fill):
    """Apply one named augmentation with its signed magnitude."""
    if op_name in ("ShearX", "ShearY"):
        # shear about the top-left corner, by the angle whose tangent is the magnitude
        angle = math.degrees(math.atan(magnitude))
        shear = [angle, 0.0] if op_name == "ShearX" else [0.0, angle]
        return F.affine(img, angle=0.0, translate=[0, 0], scale=1.0, shear=shear, interpolation=interpolation,
                        fill=fill, center=[0, 0])
    if op_name in ("TranslateX", "TranslateY"):
        shift = [int(magnitude), 0] if op_name == "TranslateX" else [0, int(magnitude)]
        return F.affine(img, angle=0.0, translate=shift, scale=1.0, interpolation=interpolation,
                        shear=[0.0, 0.0], fill=fill)
    if op_name == "Rotate":
        return F.rotate(img, magnitude, interpolation=interpolation, fill=fill)
    enhance = {"Brightness": F.adjust_brightness, "Color": F.adjust_saturation, "Contrast": F.adjust_contrast,
               "Sharpness": F.adjust_sharpness}
    if op_name in enhance:
        return enhance[op_name](img, 1.0 + magnitude)
    if op_name == "Posterize":
        return F.posterize(img, int(magnitude))
    if op_name == "Solarize":
        return F.solarize(img, magnitude)
    plain = {"AutoContrast": F.autocontrast, "Equalize": F.equalize, "Invert": F.invert}
    if op_name in plain:
        return plain[op_name](img)
    if op_name == "Identity":
        return img
    raise ValueError(f"The provided operator {op_name} is not recognized.")


class AutoAugmentPolicy(Enum):
    """The datasets AutoAugment learned policies on."""

    IMAGENET = "imagenet"
    CIFAR10 = "cifar10"
    SVHN = "svhn"


# Cubuk et al., "AutoAugment" (2019): 25 sub-policies per dataset, each two (op, probability, magnitude
# bin) steps; "-" marks ops without a magnitude.
_POLICY_TABLES = {
    AutoAugmentPolicy.IMAGENET: """
        Posterize .4 8, Rotate .6 9; Solarize .6 5, AutoContrast .6 -; Equalize .8 -, Equalize .6 -;
        Posterize .6 7, Posterize .6 6; Equalize .4 -, Solarize .2 4; Equalize .4 -, Rotate .8 8;
        Solarize .6 3, Equalize .6 -; Posterize .8 5, Equalize 1 -; Rotate .2 3, Solarize .6 8;
        Equalize .6 -, Posterize .4 6; Rotate .8 8, Color .4 0; Rotate .4 9, Equalize .6 -;
        Equalize 0 -, Equalize .8 -; Invert .6 -, Equalize 1 -; Color .6 4, Contrast 1 8;
        Rotate .8 8, Color 1 2; Color .8 8, Solarize .8 7; Sharpness .4 7, Invert .6 -;
        ShearX .6 5, Equalize 1 -; Color .4 0, Equalize .6 -; Equalize .4 -, Solarize .2 4;
        Solarize .6 5, AutoContrast .6 -; Invert .6 -, Equalize 1 -; Color .6 4, Contrast 1 8;
        Equalize .8 -, Equalize .6 -""",
    AutoAugmentPolicy.CIFAR10: """
        Invert .1 -, Contrast .2 6; Rotate .7 2, TranslateX .3 9; Sharpness .8 1, Sharpness .9 3;
        ShearY .5 8, TranslateY .7 9; AutoContrast .5 -, Equalize .9 -; ShearY .2 7, Posterize .3 7;
        Color .4 3, Brightness .6 7; Sharpness .3 9, Brightness .7 9; Equalize .6 -, Equalize .5 -;
        Contrast .6 7, Sharpness .6 5; Color .7 7, TranslateX .5 8; Equalize .3 -, AutoContrast .4 -;
        TranslateY .4 3, Sharpness .2 6; Brightness .9 6, Color .2 8; Solarize .5 2, Invert 0 -;
        Equalize .2 -, AutoContrast .6 -; Equalize .2 -, Equalize .6 -; Color .9 9, Equalize .6 -;
        AutoContrast .8 -, Solarize .2 8; Brightness .1 3, Color .7 0; Solarize .4 5, AutoContrast .9 -;
        TranslateY .9 9, TranslateY .7 9; AutoContrast .9 -, Solarize .8 3; Equalize .8 -, Invert .1 -;
        TranslateY .7 9, AutoContrast .9 -""",
    AutoAugmentPolicy.SVHN: """
        ShearX .9 4, Invert .2 -; ShearY .9 8, Invert .7 -; Equalize .6 -, Solarize .6 6;
        Invert .9 -, Equalize .6 -; Equalize .6 -, Rotate .9 3; ShearX .9 4, AutoContrast .8 -;
        ShearY .9 8, Invert .4 -; ShearY .9 5, Solarize .2 6; Invert .9 -, AutoContrast .8 -;
        Equalize .6 -, Rotate .9 3; ShearX .9 4, Solarize .3 3; ShearY .8 8, Invert .7 -;
        Equalize .9 -, TranslateY .6 6; Invert .9 -, Equalize .6 -; Contrast .3 3, Rotate .8 4;
        Invert .8 -, TranslateY 0 2; ShearY .7 6, Solarize .4 8; Invert .6 -, Rotate .8 4;
        ShearY .3 7, TranslateX .9 3; ShearX .1 6, Invert .6 -; Solarize .7 2, TranslateY .6 7;
        ShearY .8 4, Invert .8 -; ShearX .7 9, TranslateY .8 3; ShearY .8 5, AutoContrast .7 -;
        ShearX .7 2, Invert .1 -""",
}


def _parse_policy(text):
    def step(item):
        name, prob, mag = item.split()
        return name, float(prob), None if mag == "-" else int(mag)

    return [tuple(step(s) for s in sub.split(",")) for sub in text.split(";")]


def _fill_for(img, fill):
    if isinstance(img, numtorch.Tensor):
        channels = F.get_dimensions(img)[0]
        if isinstance(fill, (int, float)):
            return [float(fill)] * channels
        if fill is not None:
            return [float(f) for f in fill]
    return fill


def _linspace(end, bins, start=0.0):
    return numtorch.linspace(start, end, bins)


def _posterize_bits(top, bins, spread):
    return top - (numtorch.arange(bins) / ((bins - 1) / spread)).round().int()


def _space(bins, shear, translate_hw, rotate, enhance, posterize_spread, posterize_top=8):
    """The ops and their magnitude bins, as (magnitudes, signed) pairs; the order is the draw order."""
    none = (numtorch.tensor(0.0), False)
    space = {"ShearX": (_linspace(shear, bins), True), "ShearY": (_linspace(shear, bins), True),
             "TranslateX": (_linspace(translate_hw[1], bins), True),
             "TranslateY": (_linspace(translate_hw[0], bins), True),
             "Rotate": (_linspace(rotate, bins), True)}
    if enhance is not None:
        space.update({k: (_linspace(enhance, bins), True) for k in ("Brightness", "Color", "Contrast",
                                                                    "Sharpness")})
    space.update({"Posterize": (_posterize_bits(posterize_top, bins, posterize_spread), False),
                  "Solarize": (_linspace(0.0, bins, start=255.0), False),
                  "AutoContrast": none, "Equalize": none})
    return space


class AutoAugment(Module):
    """AutoAugment: apply one of the dataset's learned sub-policies, picked at random."""

    def __init__(self, policy=AutoAugmentPolicy.IMAGENET, interpolation=InterpolationMode.NEAREST, fill=None):
        super().__init__()
        self.policy, self.interpolation, self.fill = policy, interpolation, fill
        self.policies = self._get_policies(policy)

    def _get_policies(self, policy):
        if policy not in _POLICY_TABLES:
            raise ValueError(f"The provided policy {policy} is not recognized.")
        return _parse_policy(_POLICY_TABLES[policy])

    def _augmentation_space(self, num_bins, image_size):
        size = (150.0 / 331.0 * image_size[0], 150.0 / 331.0 * image_size[1])
        space = _space(num_bins, 0.3, size, 30.0, 0.9, 4)
        space["Invert"] = (numtorch.tensor(0.0), False)
        return space

    @staticmethod
    def get_params(transform_num):
        """A random sub-policy index, two application draws and two sign draws."""
        policy_id = int(numtorch.randint(transform_num, (1,)).item())
        return policy_id, numtorch.rand((2,)), numtorch.randint(2, (2,))

    def forward(self, img):
        fill = _fill_for(img, self.fill)
        _, height, width = F.get_dimensions(img)
        transform_id, probs, signs = self.get_params(len(self.policies))
        op_meta = self._augmentation_space(10, (height, width))
        for i, (op_name, p, magnitude_id) in enumerate(self.policies[transform_id]):
            if bool(probs[i] <= p):  # a tensor comparison: p is rounded to float32 first, as in torch
                magnitudes, signed = op_meta[op_name]
                magnitude = float(magnitudes[magnitude_id].item()) if magnitude_id is not None else 0.0
                if signed and bool(signs[i] == 0):
                    magnitude *= -1.0
                img = _apply_op(img, op_name, magnitude, interpolation=self.interpolation, fill=fill)
        return img

    def __repr__(self):
        return f"{type(self).__name__}(policy={self.policy}, fill={self.fill})"


def _random_op(op_meta, pick_magnitude):
    """Draw an op (and a sign for signed ops) as RandAugment and TrivialAugmentWide do."""
    name = list(op_meta)[int(numtorch.randint(len(op_meta), (1,)).item())]
    magnitudes, signed = op_meta[name]
    magnitude = pick_magnitude(magnitudes) if magnitudes.ndim > 0 else 0.0
    if signed and numtorch.randint(2, (1,)).item():
        magnitude *= -1.0
    return name, magnitude


class RandAugment(Module):
    """RandAugment: num_ops random ops, all at one fixed magnitude bin."""

    def __init__(self, num_ops=2, magnitude=9, num_magnitude_bins=31, interpolation=InterpolationMode.NEAREST,
                 fill=None):
        super().__init__()
        self.num_ops, self.magnitude, self.num_magnitude_bins = num_ops, magnitude, num_magnitude_bins
        self.interpolation, self.fill = interpolation, fill

    def _augmentation_space(self, num_bins, image_size):
        size = (150.0 / 331.0 * image_size[0], 150.0 / 331.0 * image_size[1])
        return {"Identity": (numtorch.tensor(0.0), False), **_space(num_bins, 0.3, size, 30.0, 0.9, 4)}

    def forward(self, img):
        fill = _fill_for(img, self.fill)
        _, height, width = F.get_dimensions(img)
        op_meta = self._augmentation_space(self.num_magnitude_bins, (height, width))
        for _ in range(self.num_ops):
            name, magnitude = _random_op(op_meta, lambda m: float(m[self.magnitude].item()))
            img = _apply_op(img, name, magnitude, interpolation=self.interpolation, fill=fill)
        return img

    def __repr__(self):
        return (f"{type(self).__name__}(num_ops={self.num_ops}, magnitude={self.magnitude}, "
                f"num_magnitude_bins={self.num_magnitude_bins}, interpolation={self.interpolation}, "
                f"fill={self.fill})")


class TrivialAugmentWide(Module):
    """TrivialAugment (wide): one random op at a random magnitude bin."""

    def __init__(self, num_magnitude_bins=31, interpolation=InterpolationMode.NEAREST, fill=None):
        super().__init__()
        self.num_magnitude_bins, self.interpolation, self.fill = num_magnitude_bins, interpolation, fill

    def _augmentation_space(self, num_bins):
        return {"Identity": (numtorch.tensor(0.0), False),
                **_space(num_bins, 0.99, (32.0, 32.0), 135.0, 0.99, 6)}

    def forward(self, img):
        fill = _fill_for(img, self.fill)
        op_meta = self._augmentation_space(self.num_magnitude_bins)

        def pick(m):
            return float(m[numtorch.randint(len(m), (1,), dtype=numtorch.long)].item())

        name, magnitude = _random_op(op_meta, pick)
        return _apply_op(img, name, magnitude, interpolation=self.interpolation, fill=fill)

    def __repr__(self):
        return (f"{type(self).__name__}(num_magnitude_bins={self.num_magnitude_bins}, "
                f"interpolation={self.interpolation}, fill={self.fill})")


class AugMix(Module):
    """AugMix: a Dirichlet-weighted mix of short random augmentation chains, blended with the image."""

    def __init__(self, severity=3, mixture_width=3, chain_depth=-1, alpha=1.0, all_ops=True,
                 interpolation=InterpolationMode.BILINEAR, fill=None):
        super().__init__()
        self._PARAMETER_MAX = 10
        if not 1 <= severity <= self._PARAMETER_MAX:
            raise ValueError(f"The severity must be between [1, {self._PARAMETER_MAX}]. Got {severity} "
                             "instead.")
        self.severity, self.mixture_width, self.chain_depth = severity, mixture_width, chain_depth
        self.alpha, self.all_ops = alpha, all_ops
        self.interpolation, self.fill = interpolation, fill

    def _augmentation_space(self, num_bins, image_size):
        size = (image_size[0] / 3.0, image_size[1] / 3.0)
        space = _space(num_bins, 0.3, size, 30.0, 0.9 if self.all_ops else None, 4, posterize_top=4)
        order = ["ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Posterize", "Solarize",
                 "AutoContrast", "Equalize"]
        if self.all_ops:
            order += ["Brightness", "Color", "Contrast", "Sharpness"]
        return {k: space[k] for k in order}

    def _sample_dirichlet(self, params):
        return _sample_dirichlet(params)

    def forward(self, orig_img):
        fill = _fill_for(orig_img, self.fill)
        _, height, width = F.get_dimensions(orig_img)
        img = orig_img if isinstance(orig_img, numtorch.Tensor) else F.pil_to_tensor(orig_img)
        op_meta = self._augmentation_space(self._PARAMETER_MAX, (height, width))
        dims = list(img.shape)
        batch = img.view([1] * max(4 - img.ndim, 0) + dims)
        bdims = [batch.size(0)] + [1] * (batch.ndim - 1)
        m = self._sample_dirichlet(numtorch.tensor([self.alpha, self.alpha]).expand(bdims[0], -1))
        alphas = numtorch.tensor([self.alpha] * self.mixture_width).expand(bdims[0], -1)
        weights = self._sample_dirichlet(alphas)
        weights = weights * m[:, 1].view([bdims[0], -1])
        mix = m[:, 0].view(bdims) * batch

        def pick(mags):
            return float(mags[numtorch.randint(self.severity, (1,), dtype=numtorch.long)].item())

        for i in range(self.mixture_width):
            aug = batch
            depth = self.chain_depth if self.chain_depth > 0 else int(numtorch.randint(1, 4, (1,)).item())
            for _ in range(depth):
                name, magnitude = _random_op(op_meta, pick)
                aug = _apply_op(aug, name, magnitude, interpolation=self.interpolation, fill=fill)
            mix.add_(weights[:, i].view(bdims) * aug)
        mix = mix.view(dims).to(dtype=img.dtype)
        return mix if isinstance(orig_img, numtorch.Tensor) else F.to_pil_image(mix)

    def __repr__(self):
        return (f"{type(self).__name__}(severity={self.severity}, mixture_width={self.mixture_width}, "
                f"chain_depth={self.chain_depth}, alpha={self.alpha}, all_ops={self.all_ops}, "
                f"interpolation={self.interpolation}, fill={self.fill})")
