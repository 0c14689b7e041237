"""Every torch op of the op-library issue exists in ember: as a ``torch.*`` function, and as a
Tensor method wherever torch has one. Groups are plain lists of torch names; append a group
for new op families."""
import pytest
import torch

import ember

GROUPS = {
    "elementwise": """
        add sub subtract mul multiply div divide true_divide floor_divide remainder fmod pow rsub
        neg negative abs absolute sign sgn reciprocal sqrt rsqrt square exp exp2 expm1 log log2
        log10 log1p sin cos tan asin acos atan atan2 arcsin arccos arctan arctan2 sinh cosh tanh
        asinh acosh atanh arcsinh arccosh arctanh sigmoid logit erf erfc erfinv floor ceil round
        trunc fix frac clamp clip clamp_min clamp_max maximum minimum fmax fmin lerp addcmul addcdiv
        hypot where masked_fill nan_to_num xlogy relu
    """.split(),
    "elementwise_inplace": """
        add_ sub_ subtract_ mul_ multiply_ div_ divide_ true_divide_ floor_divide_ remainder_ fmod_
        pow_ neg_ negative_ abs_ absolute_ sign_ sgn_ reciprocal_ sqrt_ rsqrt_ square_ exp_ exp2_
        expm1_ log_ log2_ log10_ log1p_ sin_ cos_ tan_ asin_ acos_ atan_ atan2_ arcsin_ arccos_
        arctan_ arctan2_ sinh_ cosh_ tanh_ asinh_ acosh_ atanh_ arcsinh_ arccosh_ arctanh_ sigmoid_
        logit_ erf_ erfc_ erfinv_ floor_ ceil_ round_ trunc_ fix_ frac_ clamp_ clip_ clamp_min_
        clamp_max_ lerp_ addcmul_ addcdiv_ hypot_ masked_fill_ nan_to_num_ xlogy_ relu_
    """.split(),
    "operators": """
        __add__ __radd__ __iadd__ __sub__ __rsub__ __isub__ __mul__ __rmul__ __imul__ __truediv__
        __rtruediv__ __itruediv__ __floordiv__ __rfloordiv__ __ifloordiv__ __mod__ __rmod__ __imod__
        __pow__ __rpow__ __ipow__ __neg__ __pos__ __abs__ __eq__ __ne__ __lt__ __le__ __gt__ __ge__
        __and__ __rand__ __iand__ __or__ __ror__ __ior__ __xor__ __rxor__ __ixor__ __invert__
        __lshift__ __rlshift__ __ilshift__ __rshift__ __rrshift__ __irshift__
    """.split(),
    "comparison": """
        eq ne lt le gt ge greater greater_equal less less_equal not_equal logical_and logical_or
        logical_not logical_xor bitwise_and bitwise_or bitwise_xor bitwise_not bitwise_left_shift
        bitwise_right_shift isnan isinf isfinite isposinf isneginf isreal signbit isclose allclose
        equal isin
    """.split(),
    "comparison_inplace": """
        eq_ ne_ lt_ le_ gt_ ge_ logical_and_ logical_or_ logical_xor_ logical_not_ bitwise_and_
        bitwise_or_ bitwise_xor_ bitwise_not_ bitwise_left_shift_ bitwise_right_shift_
    """.split(),
    "reduction": """
        sum mean prod max min amax amin aminmax argmax argmin std var std_mean var_mean norm
        logsumexp cumsum cumprod cummax cummin all any median nanmedian mode sort argsort msort topk
        kthvalue unique unique_consecutive count_nonzero softmax log_softmax nansum nanmean
    """.split(),
    "reduction_inplace": "cumsum_ cumprod_".split(),
    "linalg_norms": ["linalg.vector_norm", "linalg.matrix_norm"],
}


def _lookup(mod, name):
    obj = mod
    for part in name.split("."):
        try:
            obj = getattr(obj, part)
        except (AttributeError, ImportError):
            return None
    return obj


def _missing(names):
    missing = []
    for name in names:
        in_torch_fn = _lookup(torch, name) is not None
        in_torch_method = "." not in name and hasattr(torch.Tensor, name)
        assert in_torch_fn or in_torch_method, f"{name} is not a torch name"
        fn = _lookup(ember, name)
        if name == "linalg.vector_norm" or name == "linalg.matrix_norm":
            # ember.linalg re-exports these from the reduction family
            fn = fn or getattr(ember._reduction, name.split(".")[1], None)
        if in_torch_fn and fn is None:
            missing.append(f"ember.{name}")
        if in_torch_method and not hasattr(ember.Tensor, name):
            missing.append(f"Tensor.{name}")
    return missing


@pytest.mark.parametrize("group", list(GROUPS))
def test_group_covered(group):
    names = GROUPS[group]
    missing = _missing(names)
    print(f"{group}: {len(names) - len(missing)}/{len(names)} torch names covered")
    assert not missing, f"missing in ember ({len(missing)}): {', '.join(missing)}"


def test_total_count():
    total = sum(len(v) for v in GROUPS.values())
    covered = total - sum(len(_missing(v)) for v in GROUPS.values())
    print(f"op coverage: {covered}/{total}")
    assert covered == total


# ---- op library part B: shape/views, indexing, linear algebra, creation (appended) ----
GROUPS["shape"] = """
    view view_as reshape reshape_as flatten unflatten squeeze unsqueeze transpose swapaxes swapdims t permute
    movedim moveaxis expand expand_as broadcast_to repeat repeat_interleave tile contiguous narrow select chunk
    split tensor_split unbind cat concat concatenate stack hstack vstack dstack column_stack row_stack flip fliplr
    flipud roll diag diagonal diag_embed tril triu tril_ triu_ trace as_strided unfold broadcast_tensors
    broadcast_shapes atleast_1d atleast_2d atleast_3d conj real imag
""".split()
GROUPS["indexing"] = """
    gather scatter scatter_ scatter_add scatter_add_ scatter_reduce scatter_reduce_ index_select index_add index_add_
    index_copy index_copy_ index_fill index_fill_ masked_select masked_scatter masked_scatter_ nonzero argwhere take
    take_along_dim put put_ index_put index_put_
""".split()
GROUPS["linalg"] = """
    matmul mm bmm mv dot vdot outer ger inner addmm addmv addbmm baddbmm einsum tensordot kron cross chain_matmul
    det inverse logdet slogdet pinverse matrix_power linalg.inv linalg.inv_ex linalg.det linalg.slogdet linalg.solve
    linalg.cholesky linalg.cholesky_ex linalg.qr linalg.svd linalg.svdvals linalg.eigh linalg.eigvalsh linalg.pinv
    linalg.norm linalg.matmul linalg.cross linalg.vecdot linalg.multi_dot linalg.matrix_power linalg.matrix_rank
    linalg.diagonal
""".split()
GROUPS["creation"] = """
    tensor zeros ones full empty zeros_like ones_like full_like empty_like arange linspace logspace eye tril_indices
    triu_indices meshgrid complex polar view_as_real view_as_complex new_tensor new_zeros new_ones new_full
    new_empty type_as clone
""".split()
