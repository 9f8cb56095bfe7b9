"""The seed documents' tensor, dtype, view, NumPy-interop, printing and autograd snippets, run under torch
and numtorch: printed output, exception type and warning categories must be identical.

Each case is named ``doc<N>_<topic>`` after the seed file it comes from (/work/shared/seeds/00N_*.txt).
Random data in the seeds is replaced by deterministic data; ``id()``/``data_ptr()`` prints become
comparisons; where torch 2.13 differs from the seed (NOTES.md) torch 2.13 is the reference. The word
"numtorch" in numtorch's output reads as "torch", and object addresses are masked.
"""
import contextlib
import copy
import io
import re
import textwrap
import warnings

import numpy as np
import pytest

import numtorch
from conftest import need_torch

ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")

# Snippets whose torch warning is emitted once per process: their warnings are not compared.
WARNS_ONCE = "# warns once per process"

CASES = {
    # ---- 000: a custom layer's forward and flattening
    "doc0_feature_l2norm": """
        feature = torch.arange(24.).view(2, 3, 4) / 10
        epsilon = 1e-6
        norm = torch.pow(torch.sum(torch.pow(feature, 2), 1) + epsilon, 0.5).unsqueeze(1).expand_as(feature)
        print(norm.shape)
        print(torch.div(feature, norm))
    """,
    "doc0_view_flatten": """
        x = torch.arange(24.).view(2, 3, 4)
        x = x.view(x.size(0), -1)
        print(x.shape, x.is_contiguous())
        print(x)
    """,
    # ---- 001 (1): torch.* utilities
    "doc1_set_default_tensor_type_cuda": """
        print(torch.zeros(3, 3).type())
        torch.set_default_tensor_type(torch.cuda.FloatTensor)  # warns once per process
    """,
    "doc1_tensor_type_cpu": """
        b = torch.zeros(3, 3).cpu()
        print(b.type())
        print(torch.zeros(3, 3, dtype=torch.float64).type(), torch.zeros(2, dtype=torch.int32).type())
    """,
    "doc1_numel_shape_size": """
        a = torch.arange(12.).view(3, 4) / 7
        print(a)
        print(torch.numel(a))
        print(a.shape)
        print(a.size())
        print(a.numel())
    """,
    "doc1_set_printoptions": """
        x = torch.arange(30.).view(3, 10) / 3
        torch.set_printoptions(precision=2, threshold=5, edgeitems=2, linewidth=40)
        print(x)
        torch.set_printoptions(profile="default")
        print(x)
    """,
    # ---- 001: creating tensors
    "doc1_create_by_shape": """
        a = torch.Tensor(2, 3)
        print(a.shape, a.dtype)
        a = torch.empty(2, 3)
        b = torch.FloatTensor(2, 3)
        c = torch.IntTensor(2, 3)
        print(a.shape, a.dtype, b.shape, b.dtype, c.shape, c.dtype)
    """,
    "doc1_from_numpy_and_list": """
        a = np.array([1, 2, 3, 4])
        a_t = torch.from_numpy(a)
        print(a_t)
        print(torch.tensor([1, 2]))
    """,
    "doc1_create_other": """
        print(torch.full([2, 2], 1))
        print(torch.arange(10))
        print(torch.zeros(2, 2))
        print(torch.ones(3, 4))
        print(torch.linspace(start=1, end=10, steps=6))
        print(torch.eye(3))
    """,
    "doc1_create_random_shapes": """
        e = torch.rand([2, 2])
        f = torch.randn([2, 3])
        g = torch.normal(mean=1, std=0.1, size=[2, 3])
        k = torch.randperm(5)
        print(e.shape, e.dtype, f.shape, f.dtype, g.shape, g.dtype, k.dtype)
        print(torch.sort(k).values)
        print(bool(((e >= 0) & (e < 1)).all()))
    """,
    "doc1_Tensor_vs_tensor": """
        print(torch.Tensor([2, 3]))
        print(torch.Tensor((2, 3)))
        a = torch.tensor([1, 2])
        b = torch.Tensor(a.size())
        print(b.shape, b.dtype)
        b.fill_(0)
        c = torch.Tensor(b)
        c[0] = 5
        print(b, c)
    """,
    # ---- 001: tensor operations
    "doc1_size_numel_view": """
        a = torch.arange(6.).view(2, 3) / 7
        print(a.size())
        print(a.numel())
        print(a.shape)
        a = torch.arange(0, 6)
        b = a.view(3, -1)
        b[0, 0] = 100
        print(a)
        print(b)
        e = torch.arange(0, 16).reshape(4, 4)
        print(e)
    """,
    "doc1_unsqueeze_squeeze": """
        a = torch.ones(2, 2)
        b = a.unsqueeze(dim=1)
        c = a.unsqueeze(dim=0)
        print(b.shape, c.shape)
        a.unsqueeze_(dim=1)
        print(a)
        d = a.squeeze()
        print(d, d.shape)
    """,
    "doc1_resize_": """
        a = torch.arange(0, 6)
        b = a.view(3, -1)
        b.resize_(1, 3)
        print(b)
        b.resize_(3, 3)
        print(b.shape)
        print(b[:2])
    """,
    "doc1_slice_keeps_dim": """
        d = torch.arange(12.).view(3, 4) / 7
        print(d[0:1, :2])
        print(d[0, :2])
    """,
    "doc1_cat_chunk": """
        a = torch.ones(2, 2)
        c = torch.cat((a, a), dim=1)
        d = torch.cat((a, a), dim=0)
        print(c)
        print(d)
        e, f = torch.chunk(c, chunks=2, dim=0)
        print(e)
        print(f)
    """,
    "doc1_select_functions": """
        a = torch.arange(12.).view(3, 4) - 5
        print(torch.index_select(a, 1, torch.tensor([0, 2])))
        print(a > 0)
        print(torch.masked_select(a, a > 0))
        print(a[a > 0])
        print(torch.nonzero(a > 3))
        print(torch.gather(a, 1, torch.tensor([[0, 1], [2, 3], [1, 1]])))
    """,
    "doc1_non_zero_missing": """
        torch.non_zero(torch.tensor([0, 1]))
    """,
    "doc1_new": """
        a = torch.arange(6.).view(2, 3) / 7
        b = a.new()
        print(b, b.dtype, b.shape)
        b = torch.Tensor.new(a)
        print(b)
        print(torch.arange(3).new().dtype)
    """,
    "doc1_expand": """
        a = torch.tensor([[1], [2], [3]])
        b = a.expand(-1, 3)
        print(b)
        print(b.stride(), a.data_ptr() == b.data_ptr())
        c = torch.tensor([1, 2, 3])
        d = c.expand(2, -1)
        print(d)
        print(c)
    """,
    "doc1_expand_non_singleton": """
        torch.tensor([1, 2, 3]).expand(2, 4)
    """,
    "doc1_expand_fewer_dims": """
        torch.ones(2, 3).expand(3)
    """,
    "doc1_expand_as": """
        a = torch.tensor([[2], [3], [4]])
        b = torch.tensor([[2, 2], [3, 3], [5, 5]])
        print(a.expand_as(b))
    """,
    "doc1_advanced_indexing": """
        x = t.arange(0, 27).view(3, 3, 3)
        print(x[[1, 2], [1, 2], [2, 0]])
        print(x[[2, 1, 0], [0], [1]])
        print(x[[0, 2], ...])
    """,
    "doc1_elementwise": """
        a = torch.arange(1., 7.).view(2, 3) / 4
        print(torch.abs(-a), torch.sqrt(a), torch.div(a, 3), torch.exp(a))
        print(torch.fmod(a, 0.3), torch.log(a), torch.pow(a, 3))
        print(torch.cos(a), torch.sin(a), torch.asin(a / 2), torch.atan2(a, a + 1), torch.cosh(a))
        print(torch.ceil(a), torch.round(a), torch.floor(a), torch.trunc(-a))
        print(torch.clamp(a, 0.5, 1.2), torch.sigmoid(a), torch.tanh(a))
        print(a ** 2, torch.pow(a, 2), a * 2, torch.mul(a, 2))
    """,
    "doc1_sigmod_missing": """
        torch.sigmod(torch.ones(2))
    """,
    "doc1_reductions": """
        a = torch.tensor([[1., 5., 2.], [4., 4., 0.]])
        print(a.mean(), a.sum(), a.median(), torch.mode(torch.tensor([1, 2, 2, 3])))
        print(a.norm(), torch.dist(a, torch.zeros(2, 3)), a.std(), a.var())
        print(a.cumsum(dim=1), a.cumprod(dim=0))
        print(a.mean(dim=0), a.sum(dim=1, keepdim=True))
        b = torch.ones(3, 2)
        print(b.sum(dim=0, keepdim=True))
    """,
    "doc1_comparisons": """
        a = torch.tensor([[1., 5., 2.], [4., 4., 0.]])
        b = torch.tensor([[2., 5., 1.], [0., 4., 3.]])
        print(torch.gt(a, b), torch.lt(a, b), torch.ge(a, b), torch.le(a, b), torch.eq(a, b), torch.ne(a, b))
        print(a >= b, a > b, a != b, a == b)
        print((a > b).dtype)
        print(a[a >= b])
        print(torch.topk(a.view(-1), 3))
        print(torch.sort(a, dim=1))
    """,
    "doc1_max_min_forms": """
        a = torch.tensor([[1., 5., 2.], [4., 6., 0.]])
        b = torch.tensor([[2., 5., 1.], [0., 4., 3.]])
        print(torch.max(a), torch.min(a))
        print(torch.max(a, 1))
        print(torch.min(a, dim=0))
        print(torch.max(a, b), torch.min(a, b))
    """,
    "doc1_linear_algebra": """
        a = torch.arange(1., 10.).view(3, 3)
        print(torch.trace(a), torch.diag(a), torch.diag(torch.tensor([1., 2.])))
        print(torch.triu(a), torch.tril(a, -1))
        print(torch.mm(a, a), torch.bmm(a.expand(2, 3, 3), a.expand(2, 3, 3)))
        v = torch.tensor([1., 2., 3.])
        print(torch.addmm(a, a, a), torch.addbmm(a, a.expand(2, 3, 3), a.expand(2, 3, 3)))
        batch = a.expand(2, 3, 3)
        print(torch.addmv(v, a, v), torch.addr(a, v, v), torch.baddbmm(batch, batch, batch))
        print(a.t(), torch.dot(v, v), torch.cross(v, torch.tensor([0., 1., 0.]), dim=0))
    """,
    "doc1_inverse_svd": """
        a = torch.tensor([[4., 1., 0.], [1., 3., 1.], [0., 1., 2.]], dtype=torch.float64)
        print(torch.inverse(a))
        u, s, v = torch.svd(a)
        print(s)
        print(torch.allclose(u @ torch.diag(s) @ v.t(), a))
    """,
    "doc1_transpose_contiguous": """
        a = torch.arange(6.).view(2, 3)
        b = a.t()
        print(b.is_contiguous(), b.stride())
        c = b.contiguous()
        print(c.is_contiguous(), c.stride(), c.data_ptr() == b.data_ptr())
    """,
    "doc1_default_tensor_type_string": """
        torch.set_default_tensor_type('torch.DoubleTensor')  # warns once per process
        a = torch.Tensor(2, 3)
        print(a.dtype, a.type())
        b = a.float()
        print(b.dtype, b.type(), a.type(torch.FloatTensor).dtype)
        torch.set_default_tensor_type('torch.FloatTensor')
        print(torch.Tensor(1).dtype)
    """,
    "doc1_cast_shortcuts": """
        a = torch.tensor([1.7, -2.5, 3.])
        print(a.long(), a.half(), a.int(), a.double(), a.type(torch.LongTensor), a.type(torch.int8))
    """,
    # ---- 001: devices
    "doc1_device_select": """
        device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
        a = (torch.arange(9.).view(3, 3) / 7).to(device)
        print(device, a.device, a.is_cuda)
        y = torch.ones([3, 3], requires_grad=True)
        y_ = y.cpu().detach().numpy()
        print(type(y_).__name__, y_.dtype, y_.shape)
    """,
    "doc1_cuda_tensor_without_cuda": """
        x = torch.ones([3, 3], device='cuda')
    """,
    "doc1_numpy_requires_grad_error": """
        torch.ones(2, requires_grad=True).numpy()
    """,
    # ---- 001: .data / .detach() / .item()
    "doc1_data_zero_": """
        a = torch.tensor([1, 2, 3.], requires_grad=True)
        out = a.sigmoid()
        c = out.data
        c.zero_()
        print(c.requires_grad)
        print(c)
        print(out.requires_grad)
        print(out)
        out.sum().backward()
        print(a.grad)
    """,
    "doc1_detach_zero_": """
        a = torch.tensor([1, 2, 3.], requires_grad=True)
        out = a.sigmoid()
        c = out.detach()
        c.zero_()
        print(c.requires_grad)
        print(c)
        print(out.requires_grad)
        print(out)
        out.sum().backward()
        print(a.grad)
    """,
    "doc1_item_tolist": """
        x = torch.tensor([-0.4717], requires_grad=True)
        print(x)
        y = x.item()
        print(y, type(y))
        x = torch.arange(4.).view(2, 2) / 3
        print(x.tolist())
    """,
    "doc1_item_many_elements": """
        torch.arange(4.).item()
    """,
    # ---- 001: clone and copy_
    "doc1_clone_grad": """
        a = torch.tensor([1., 2., 3.], requires_grad=True)
        b = a.clone()
        print(a.data_ptr() != b.data_ptr())
        print(a)
        print(b)
        c = a * 2
        d = b * 3
        c.sum().backward()
        print(a.grad)
        d.sum().backward()
        print(a.grad)
        print(b.grad)
    """,
    "doc1_copy_grad": """
        a = torch.tensor([1., 2., 3.], requires_grad=True)
        b = torch.empty_like(a).copy_(a)
        print(a.data_ptr() != b.data_ptr())
        print(a)
        print(b)
        c = a * 2
        d = b * 3
        c.sum().backward()
        print(a.grad)
        d.sum().backward()
        print(a.grad)
        print(b.grad)
    """,
    "doc1_copy_broadcasts": """
        a = torch.empty(2, 3).copy_(torch.tensor([1, 2, 3]))
        print(a)
    """,
    # ---- 001: torch.cuda without CUDA (NOTES.md)
    "doc1_cuda_queries": """
        print(torch.cuda.is_available())
        print(torch.cuda.device_count())
        print(torch.cuda.device(0))
    """,
    "doc1_cuda_current_device": """
        torch.cuda.current_device()
    """,
    "doc1_cuda_current_stream": """
        torch.cuda.current_stream()
    """,
    "doc1_cuda_method": """
        x = torch.ones(3, 3).cuda()
    """,
    # ---- 001: tensor hooks
    "doc1_register_hook_clamp": """
        w = torch.tensor([1., -2., 3.], requires_grad=True)
        h = w.register_hook(lambda grad: grad.clamp_(-2, 2))
        (w * torch.tensor([5., -1., 0.5])).sum().backward()
        print(w.grad)
        h.remove()
        w.grad = None
        (w * 5).sum().backward()
        print(w.grad)
    """,
    "doc1_copy_into_empty_Tensor": """
        features = t.Tensor()
        features.copy_(torch.ones(2, 3).data)
    """,
    # ---- 001: torch.autograd
    "doc1_requires_grad_forms": """
        x = torch.tensor(1.).requires_grad_()
        print(x, x.requires_grad, x.is_leaf)
        x = torch.tensor(1., requires_grad=True)
        print(x, x.grad, x.grad_fn)
    """,
    "doc1_requires_grad_int": """
        torch.tensor([1, 2], requires_grad=True)
    """,
    "doc1_backward_add_mul": """
        x = torch.tensor(2., requires_grad=True)
        a = torch.add(x, 1)
        b = torch.add(x, 2)
        y = torch.mul(a, b)
        y.backward()
        print("requires_grad: ", x.requires_grad, a.requires_grad, b.requires_grad, y.requires_grad)
        print("is_leaf: ", x.is_leaf, a.is_leaf, b.is_leaf, y.is_leaf)
        print("grad: ", x.grad, a.grad, b.grad, y.grad)
    """,
    "doc1_backward_vs_autograd_grad": """
        x = torch.tensor(2., requires_grad=True)
        y = torch.tensor(3., requires_grad=True)
        z = x * x * y
        z.backward()
        print(x.grad, y.grad)
        x = torch.tensor(2.).requires_grad_()
        y = torch.tensor(3.).requires_grad_()
        z = x * x * y
        grad_x = torch.autograd.grad(outputs=z, inputs=x)
        print(type(grad_x).__name__, grad_x[0])
    """,
    "doc1_autograd_grad_freed_graph": """
        x = torch.tensor(2.).requires_grad_()
        y = torch.tensor(3.).requires_grad_()
        z = x * x * y
        grad_x = torch.autograd.grad(outputs=z, inputs=x)
        grad_y = torch.autograd.grad(outputs=z, inputs=y)
    """,
    "doc1_autograd_grad_retain_graph": """
        x = torch.tensor(2.).requires_grad_()
        y = torch.tensor(3.).requires_grad_()
        z = x * x * y
        grad_x = torch.autograd.grad(outputs=z, inputs=x, retain_graph=True)
        grad_y = torch.autograd.grad(outputs=z, inputs=y)
        print(grad_x[0], grad_y[0])
    """,
    "doc1_second_derivative_without_create_graph": """
        x = torch.tensor(2.).requires_grad_()
        y = torch.tensor(3.).requires_grad_()
        z = x * x * y
        grad_x = torch.autograd.grad(outputs=z, inputs=x, retain_graph=True)
        print(grad_x[0].requires_grad)
        grad_xx = torch.autograd.grad(outputs=grad_x, inputs=x)
    """,
    "doc1_second_derivative_create_graph": """
        x = torch.tensor(2.).requires_grad_()
        y = torch.tensor(3.).requires_grad_()
        z = x * x * y
        grad_x = torch.autograd.grad(outputs=z, inputs=x, create_graph=True)
        print(grad_x[0])
        grad_xx = torch.autograd.grad(outputs=grad_x, inputs=x)
        print(grad_xx[0])
    """,
    "doc1_second_derivative_backward_top_to_bottom": """
        x = torch.tensor(2.).requires_grad_()
        y = torch.tensor(3.).requires_grad_()
        z = x * x * y
        grad_x = torch.autograd.grad(outputs=z, inputs=x, create_graph=True)
        grad_x[0].backward()
        print(x.grad)
        z.backward(create_graph=True)  # warns once per process
        grad_xx = torch.autograd.grad(outputs=x.grad, inputs=x)
        print(grad_xx[0])
        z.backward(create_graph=True)
        x.grad.data.zero_()
        x.grad.backward()
        print(x.grad)
    """,
    "doc1_second_derivative_two_backwards": """
        x = torch.tensor(2.).requires_grad_()
        y = torch.tensor(3.).requires_grad_()
        z = x * x * y
        z.backward(create_graph=True)  # warns once per process
        print(x.grad)
        x.grad.data.zero_()
        x.grad.backward()
        print(x.grad)
    """,
    "doc1_vector_sum_backward": """
        x = torch.tensor([1., 2.]).requires_grad_()
        y = x * x
        y.sum().backward()
        print(x.grad)
    """,
    "doc1_vector_backward_needs_gradient": """
        x = torch.tensor([1., 2.]).requires_grad_()
        (x * x).backward()
    """,
    "doc1_is_leaf": """
        a = torch.ones([2, 2], requires_grad=True)
        print(a.is_leaf)
        b = a + 2
        print(b.is_leaf, b.grad_fn.name(), b.grad_fn.next_functions)
        print(torch.ones(2).is_leaf, (torch.ones(2) * 2).is_leaf)
    """,
    "doc1_version_counter": """
        a = torch.tensor([1.0, 3.0], requires_grad=True)
        b = a + 2
        print(b._version)
        loss = (b * b).mean()
        b[0] = 1000.0
        print(b._version)
        loss.backward()
    """,
    "doc1_inplace_on_leaf": """
        a = torch.tensor([10., 5., 2., 3.], requires_grad=True)
        a.add_(10.)
    """,
    "doc1_inplace_on_leaf_iadd": """
        a = torch.tensor([10., 5., 2., 3.], requires_grad=True)
        a += 10.
    """,
    "doc1_modify_leaf_via_data": """
        a = torch.tensor([10., 5., 2., 3.], requires_grad=True)
        print(a, a.is_leaf)
        a.data.fill_(10.)
        print(a, a.is_leaf, a._version)
        loss = (a * a).mean()
        loss.backward()
        print(a.grad)
    """,
    "doc1_modify_leaf_via_detach_and_no_grad": """
        a = torch.tensor([10., 5., 2., 3.], requires_grad=True)
        a.detach().fill_(7.)
        print(a, a._version)
        with torch.no_grad():
            a[:] = 10.
        print(a, a.is_leaf, a._version)
        (a * a).mean().backward()
        print(a.grad)
    """,
    "doc1_function_mul": """
        class Mul(torch.autograd.Function):
            @staticmethod
            def forward(ctx, w, x, b):
                ctx.save_for_backward(w, x)
                output = w * x + b
                return output

            @staticmethod
            def backward(ctx, grad_output):
                w, x = ctx.saved_tensors
                grad_w = grad_output * x
                grad_x = grad_output * w
                grad_b = grad_output * 1
                return grad_w, grad_x, grad_b

        x = torch.ones(1)
        w = torch.tensor([0.5]).requires_grad_(True)
        b = torch.tensor([-1.5]).requires_grad_(True)
        mul = Mul.apply
        out = mul(x, w, b)
        out.backward()
        print(out)
        print(out.grad_fn)
        print(x.grad, w.grad, b.grad)
    """,
    "doc1_function_sigmoid_gradcheck": """
        class Sigmoid(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                output = 1 / (1 + t.exp(-x))
                ctx.save_for_backward(output)
                return output

            @staticmethod
            def backward(ctx, grad_output):
                output, = ctx.saved_tensors
                grad_x = output * (1 - output) * grad_output
                return grad_x

        x = (torch.arange(4.) / 7 - 0.3).requires_grad_()
        print(torch.autograd.gradcheck(Sigmoid.apply, (x,), eps=1e-3))
        print(torch.autograd.gradcheck(torch.sigmoid, (x,), eps=1e-3))
        x64 = x.detach().double().requires_grad_()
        print(torch.autograd.gradcheck(Sigmoid.apply, (x64,)))
    """,
    # ---- 001 (3): visdom's x axis
    "doc1_range_deprecated": """
        x = torch.range(1, 20, 0.01)
        y = torch.sin(x)
        print(x.shape, x.dtype, x[:3], x[-1])
        print(y[:3])
    """,
    # ---- 002: backward notes
    "doc2_variable_grad_none": """
        v = torch.autograd.Variable
        m = v(t.FloatTensor([[2, 3]]), requires_grad=True)
        print(m, m.grad)
        m.grad.data.zero_()
    """,
    "doc2_grad_zero_after_backward": """
        v = torch.autograd.Variable
        m = v(t.FloatTensor([[2, 3]]), requires_grad=True)
        (m * m).sum().backward()
        print(m.grad)
        m.grad.data.zero_()
        print(m.grad)
    """,
    "doc2_backward_twice_freed": """
        x = torch.tensor([1., 2.], requires_grad=True)
        y = (x * x).sum()
        y.backward()
        y.backward()
    """,
    "doc2_backward_twice_retain_graph": """
        x = torch.tensor([1., 2.], requires_grad=True)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        print(x.grad)
    """,
    "doc2_backward_retain_variables": """
        x = torch.tensor([1., 2.], requires_grad=True)
        (x * x).sum().backward(retain_variables=True)
    """,
    "doc2_backward_grad_variables": """
        x = torch.tensor([1., 2.], requires_grad=True)
        torch.autograd.backward(x * x, grad_variables=torch.tensor([1., 0.5]))
        print(x.grad)
    """,
    "doc2_variable_volatile": """
        v = torch.autograd.Variable(torch.ones(2), volatile=True)
        print(v, v.requires_grad)
        print(v.volatile)
    """,
    "doc2_max_is_not_leaf": """
        x = torch.tensor([1., 5., 2.], requires_grad=True)
        m = x.max()
        print(m, m.is_leaf)
        m.backward()
        print(x.grad)
    """,
    # ---- 003: tensors
    "doc3_version": """
        print(torch.__version__.split("+")[0])
    """,
    "doc3_tensor_from_values": """
        a = torch.tensor(5)
        print(a)
        arr = np.asarray([4])
        a = torch.tensor(arr)
        print(a)
    """,
    "doc3_Tensor_by_shape": """
        ts_1 = torch.Tensor(5)
        ts_2 = torch.Tensor(2, 3)
        ts_3 = torch.Tensor(2, 3, 4)
        print(ts_1.shape, ts_2.shape, ts_3.shape, ts_3.dtype)
    """,
    "doc3_typed_constructors": """
        a = torch.Tensor([1, 3])
        print(a)
        b = torch.FloatTensor([1, 3])
        print(b)
        c = torch.DoubleTensor([1, 3])
        print(c)
        d = torch.IntTensor([1, 3])
        print(d)
        print(torch.LongTensor([1, 3]))
    """,
    "doc3_fixed_values": """
        a = torch.ones(2, 3)
        print(a)
        b = torch.zeros(5)
        print(b)
        c = torch.ones_like(b)
        print(c)
    """,
    "doc3_random_shapes": """
        t_rand = torch.rand(10)
        t_rand_nor = torch.randn(3, 3)
        t_rand_nor2 = torch.normal(mean=0.5, std=2, size=(3, 3))
        print(t_rand.shape, t_rand_nor.shape, t_rand_nor2.shape, t_rand_nor2.dtype)
    """,
    "doc3_is_tensor": """
        a = torch.Tensor(2)
        print(torch.is_tensor(a))
        b = np.array([1, 2, 3, 4, 5])
        print(torch.is_tensor(b))
    """,
    "doc3_type_conversion": """
        t_float = torch.FloatTensor([1, 2, 3, 4])
        print(t_float)
        t_int = t_float.type(torch.IntTensor)
        print(t_int)
        t_int2 = t_float.int()
        print(t_int2)
        t_double = t_int.double()
        print(t_double)
        print(t_double.type())
    """,
    "doc3_inplace_add_": """
        a = torch.IntTensor([2])
        print(a)
        b = torch.IntTensor([3])
        print(b)
        a.add_(b)
        print(a)
    """,
    "doc3_numpy_to_tensor": """
        arr = np.array([[1, 2, 3], [4, 5, 6]])
        print(type(arr))
        print(arr)
        print("-------------------------")
        t1 = torch.from_numpy(arr)
        print(type(t1))
        print(t1)
        print("-------------------------")
        t2 = torch.FloatTensor(arr)
        print(type(t2))
        print(t2)
        print("-------------------------")
        t3 = torch.tensor(arr)
        print(type(t3))
        print(t3)
    """,
    "doc3_tensor_to_numpy": """
        t = torch.tensor([1, 2, 3, 4])
        arr = t.numpy()
        print(type(arr))
        print(arr, arr.dtype)
    """,
    "doc3_numpy_shared_memory_trap": """
        arr = np.array([1, 2, 3, 4])
        t1 = torch.from_numpy(arr)
        print(arr)
        print(t1)
        print("")
        arr += 1
        print(arr)
        print(t1)
        print("")
        t1.add_(2)
        print(arr)
        print(t1)
    """,
    "doc3_numpy_copy_avoids_trap": """
        arr2 = np.array([1, 2, 3, 4])
        t2 = torch.from_numpy(arr2)
        print(arr2)
        print(t2)
        print("")
        arr2 = arr2 + 1
        print(arr2)
        print(t2)
        print("")
        t2 = t2.add(2)
        print(arr2)
        print(t2)
    """,
    "doc3_reshape": """
        t1 = torch.tensor([[1, 2],
                           [3, 4],
                           [5, 6]])
        print(t1.shape)
        print(t1)
        print("")
        t2 = torch.reshape(t1, (1, 6))
        print(t2.shape)
        print(t2)
        print("")
        t3 = torch.reshape(t1, (-1, 3))
        print(t3.shape)
        print(t3)
        print("")
    """,
    "doc3_cat_2d": """
        t1 = torch.tensor([[1, 2], [3, 4]])
        t2 = torch.tensor([[5, 6], [7, 8]])
        print(t1)
        print(t2)
        t3 = torch.cat([t1, t2], dim=0)
        print(t3)
        t4 = torch.cat([t1, t2], dim=1)
        print(t4)
    """,
    "doc3_cat_3d": """
        tt_1 = torch.tensor([[[1, 1],
                              [2, 2]],
                             [[3, 3],
                              [4, 4]],
                             [[5, 5],
                              [6, 6]]])
        tt_2 = torch.tensor([[[11, 11],
                              [22, 22]],
                             [[33, 33],
                              [44, 44]],
                             [[55, 55],
                              [66, 66]]])
        tt_3 = torch.cat([tt_1, tt_2], dim=0)
        print(tt_3.shape)
        print(tt_3)
        print(torch.cat([tt_1, tt_2], dim=2))
    """,
    "doc3_chunk_split": """
        print("均匀分割示例:")
        a = torch.tensor([[1, 2],
                          [2, 4],
                          [3, 6],
                          [4, 8]])
        b = torch.chunk(a, chunks=2, dim=0)
        for item in b:
            print(item)
            print("")
        c = torch.chunk(a, chunks=2, dim=1)
        for item in c:
            print(item)
            print("")
        print("")
        print("不均匀分割示例:")
        a = torch.tensor([[1, 2, 3],
                          [2, 4, 6],
                          [3, 6, 9],
                          [4, 8, 12],
                          [5, 10, 15]])
        b = torch.split(a,
                        split_size_or_sections=3,
                        dim=0)
        for item in b:
            print(item)
            print("")
        c = torch.split(a,
                        split_size_or_sections=2,
                        dim=1)
        for item in c:
            print(item)
            print("")
    """,
    # ---- 003: Variable and autograd
    "doc3_tensor_to_variable": """
        Variable = torch.autograd.Variable
        a = torch.tensor([1.0, 2.0, 3.0, 4.0])
        print(type(a))
        print(a.requires_grad)
        print(a)
        var1 = Variable(a, requires_grad=True)
        print(type(var1))
        print(var1.requires_grad)
        print(var1)
        print(var1 is a, a.requires_grad)
    """,
    "doc3_no_grad_decorator_and_block": """
        @torch.no_grad()
        def doubler(x):
            return x * 2

        x = torch.ones(2, 2, requires_grad=True)
        print(type(x))
        print(x)
        with torch.no_grad():
            y = x * 2
        print(y.requires_grad)
        print(x.requires_grad)
        print("")
        z = doubler(x)
        print(z.requires_grad)
        print(x.requires_grad)
        print(torch.is_grad_enabled())
    """,
    "doc3_enable_grad_inside_no_grad": """
        @torch.enable_grad()
        def doubler(x):
            return x * 2

        x = torch.ones(2, 2, requires_grad=True)
        with torch.no_grad():
            print(doubler(x).requires_grad)
            with torch.enable_grad():
                print((x * 2).requires_grad)
            print((x * 2).requires_grad)
    """,
    "doc3_set_grad_enabled": """
        x = torch.ones(2, 2, requires_grad=True)
        print(type(x))
        print(x)
        torch.set_grad_enabled(False)
        y = x * 2
        w = torch.ones(3, 3)
        z = torch.ones(3, 3, requires_grad=True)
        torch.set_grad_enabled(True)
        m = x ** 2
        print("x:", x.requires_grad)
        print("y:", y.requires_grad)
        print("w:", w.requires_grad)
        print("z:", z.requires_grad)
        print("m:", m.requires_grad)
        with torch.set_grad_enabled(False):
            print((x * 2).requires_grad)
        print((x * 2).requires_grad)
    """,
    "doc3_scalar_backward": """
        x = torch.Tensor([2])
        w = torch.tensor([0.5], requires_grad=True)
        b = torch.tensor([-1.25], requires_grad=True)
        y = torch.mul(w, x)
        z = torch.add(y, b)
        print("x.requires_grad：", x.requires_grad)
        print("w.requires_grad：", w.requires_grad)
        print("b.requires_grad：", b.requires_grad)
        print("x.is_leaf：", x.is_leaf)
        print("w.is_leaf：", w.is_leaf)
        print("b.is_leaf：", b.is_leaf)
        print("y.is_leaf：", y.is_leaf)
        print("x.grad_fn：", x.grad_fn)
        print("w.grad_fn：", w.grad_fn)
        print("b.grad_fn：", b.grad_fn)
        print("y.grad_fn：", y.grad_fn)
        print("z.grad_fn：", z.grad_fn)
        z.backward()
        print("w.grad：", w.grad)
        print("b.grad：", b.grad)
        print("y.grad：", y.grad)
        print("z.grad：", z.grad)
    """,
    "doc3_scalar_backward_twice_retain_graph": """
        x = torch.Tensor([2])
        w = torch.tensor([0.5], requires_grad=True)
        z = torch.add(torch.mul(w, x), 1)
        z.backward(retain_graph=True)
        z.backward()
        print(w.grad)
    """,
    "doc3_non_scalar_backward": """
        x = torch.tensor([1, 2], dtype=torch.float, requires_grad=True)
        y = torch.tensor([2, 3], dtype=torch.float, requires_grad=True)
        Q = 3 * x ** 2 - y ** 2
        ext_grad = torch.tensor([1.0, 1.0])
        Q.backward(gradient=ext_grad)
        print("x.grad:", x.grad)
        print("y.grad:", y.grad)
        print(Q)
    """,
    "doc3_non_scalar_backward_wrong_gradient_shape": """
        x = torch.tensor([1, 2], dtype=torch.float, requires_grad=True)
        Q = 3 * x ** 2
        Q.backward(gradient=torch.tensor([1.0, 1.0, 1.0]))
    """,
    # ---- 003: tensor code from the model examples (without nn)
    "doc3_regression_data": """
        Variable = torch.autograd.Variable
        x = Variable(torch.unsqueeze(torch.linspace(-1, 1, 40), dim=1))
        print(x.shape, x.requires_grad)
        print(x[:3])
        y = Variable(x * 2 + 5 + torch.full(x.size(), 0.25))
        print(y[-2:])
        loss = ((y - x) ** 2).mean()
        print("[%d/%d]  loss:%.4f" % (0, 1000, loss))
        print(type(torch.detach(loss).numpy()), torch.detach(loss).numpy())
    """,
    "doc3_builtin_sum_loss": """
        x = torch.linspace(0, 1, 10).reshape(10, 1)
        y = x * x - 0.5 * x + 1.5625
        print(y)
        w = torch.tensor([[0.5]], requires_grad=True)
        y_pred = x @ w
        loss = sum((y_pred - y) ** 2) / 2
        print(loss.shape)
        print(0, loss)
        print(0, torch.detach(loss).numpy())
        loss.backward()
        print(w.grad)
        test_x = torch.linspace(0, 1, 100).reshape(100, 1)
        print([torch.detach(s).numpy()[0] for s in test_x[:3]])
    """,
    "doc3_classifier_accuracy": """
        features = torch.arange(48.).view(2, 3, 2, 4) / 10
        flat_features = torch.flatten(features, start_dim=1)
        print(flat_features.shape)
        outputs = torch.tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]])
        val_label = torch.tensor([1, 0, 1, 1])
        print(torch.max(outputs, dim=1))
        predict_y = torch.max(outputs, dim=1)[1]
        accuracy = torch.eq(predict_y, val_label).sum().item() / val_label.size(0)
        print(accuracy)
        running_loss = 0.0
        running_loss += torch.tensor(1.5).item()
        print('[%d, %5d] train_loss: %.3f  test_accuracy: %.3f' % (1, 500, running_loss / 500, accuracy))
    """,
    "doc3_appendix_jacobian": """
        x = torch.tensor([1, 2], dtype=torch.float, requires_grad=True)
        y = torch.tensor([2, 3], dtype=torch.float, requires_grad=True)
        z = 3 * x ** 2 - y ** 2
        print(z)
        gx, gy = torch.autograd.grad(z, (x, y), torch.ones(2))
        print(gx, gy)
    """,
    # ---- 004: assignment, copies, sharing
    "doc4_assignment_shares": """
        a = torch.arange(4.) / 7
        print('before a', a)
        b = a
        print('before b', b, id(a) == id(b))
        a[2] = 5
        print('after a', a)
        print('after b', b, id(a) == id(b))
    """,
    "doc4_rebinding": """
        a = torch.arange(4.) / 7
        b = a
        a = torch.arange(4.) / 3
        print('after a', a)
        print('after b', b, id(a) == id(b))
    """,
    "doc4_deepcopy_tensor": """
        a = torch.arange(4.) / 7
        b = copy.deepcopy(a)
        c = copy.copy(a)
        a[0] = 9
        print(a, b, c)
        print(b.data_ptr() != a.data_ptr())
    """,
    "doc4_constructors_share_or_copy": """
        a = np.array([1, 2, 3, 4])
        a1 = torch.from_numpy(a)
        a2 = torch.Tensor(a)
        a3 = torch.tensor(a)
        a4 = torch.as_tensor(a)
        print('before a', a)
        print('before a1', a1)
        print('before a2', a2)
        print('before a3', a3)
        print('before a4', a4)
        a[1] = 0
        print('after a', a)
        print('after a1', a1)
        print('after a2', a2)
        print('after a3', a3)
        print('after a4', a4)
    """,
    "doc4_detach_clone": """
        x = torch.tensor([2.0, 3.0, 4.0], requires_grad=True)
        clone_x = x.clone()
        detach_x = x.detach()
        clone_detach_x = x.clone().detach()
        y = 2 * x + 10
        y.backward(torch.FloatTensor([1.0, 2.0, 1.0]))
        print(x.grad)
        print(clone_x.requires_grad)
        print(clone_x.grad)
        print(detach_x.requires_grad)
        print(clone_detach_x.requires_grad)
        print(clone_x.grad_fn, detach_x._version, detach_x.data_ptr() == x.data_ptr())
    """,
    "doc4_transpose_shares": """
        x = torch.arange(6.).view(3, 2) / 7
        y = torch.transpose(x, 0, 1)
        print('before')
        print('x:', x)
        print('y:', y)
        print('after')
        y[0, 0] = 12
        print('x:', x)
        print('y:', y)
        print(x._version, y._version)
    """,
    "doc4_contiguous_copies": """
        x = torch.arange(6.).view(3, 2) / 7
        y = torch.transpose(x, 0, 1).contiguous()
        print('before')
        print('x:', x)
        print('y:', y)
        print('after')
        y[0, 0] = 12
        print('x:', x)
        print('y:', y)
        print(x.is_contiguous(), y.is_contiguous(), x.t().is_contiguous())
    """,
}


def reset(lib):
    lib.set_default_dtype(lib.float32)
    lib.set_grad_enabled(True)
    lib.set_printoptions(profile="default")


def run_snippet(lib, code):
    """Execute ``code`` with ``torch``/``t`` bound to ``lib``: (stdout, exception type, warning types)."""
    ns = {"torch": lib, "t": lib, "np": np, "copy": copy}
    out = io.StringIO()
    err = None
    with contextlib.redirect_stdout(out), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(textwrap.dedent(code), ns)
        except Exception as e:  # compared with torch's
            err = e
        finally:
            reset(lib)
    text = ADDRESS.sub(" at 0x?", out.getvalue())
    if lib is numtorch:
        text = text.replace("numtorch", "torch")
    return text, err, [w.category.__name__ for w in caught]


@pytest.mark.parametrize("name", list(CASES))
def test_seed_snippet(name):
    torch = need_torch()
    code = CASES[name]
    t_out, t_err, t_warn = run_snippet(torch, code)
    n_out, n_err, n_warn = run_snippet(numtorch, code)
    assert n_out == t_out, f"numtorch raised {n_err!r}" if n_err is not None and t_err is None else "stdout"
    assert type(n_err) is type(t_err), f"exception: numtorch {n_err!r} / torch {t_err!r}"
    if WARNS_ONCE not in code:
        assert n_warn == t_warn, f"warnings: numtorch {n_warn} / torch {t_warn}"
