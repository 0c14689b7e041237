"""Every user-facing message, in PyTorch 2.13's wording. Code formats these; nothing else
spells a message out."""

REQUIRES_GRAD_DTYPE = "only Tensors of floating point and complex dtype can require gradients"
REQUIRES_GRAD_DTYPE_METHOD = "only Tensors of floating point dtype can require gradients"
REQUIRES_GRAD_DTYPE_FACTORY = "Only Tensors of floating point and complex dtype can require gradients"
REQUIRES_GRAD_NONLEAF = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
)
REQUIRES_GRAD_FALSE_NONLEAF = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
)
NO_GRAD_FN = "element {i} of tensors does not require grad and does not have a grad_fn"
SCALAR_ONLY = "grad can be implicitly created only for scalar outputs"
SCALAR_ONLY_DTYPE = "grad can be implicitly created only for real scalar outputs but got {dtype}"
BACKWARD_TWICE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)
INPLACE_MODIFIED = (
    "one of the variables needed for gradient computation has been modified by an inplace "
    "operation: [{type} [{shape}]]{output} is at version {version}; expected version {expected} "
    "instead. Hint: {hint}"
)
INPLACE_HINT = (
    "enable anomaly detection to find the operation that failed to compute its gradient, with "
    "torch.autograd.set_detect_anomaly(True, check_nan=False)."
)
INPLACE_HINT_ANOMALY = (
    "the backtrace further above shows the operation that failed to compute its gradient. The "
    "variable in question was changed in there or anywhere later. Good luck!"
)
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access "
    "the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information. (Triggered internally at "
    "/__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)"
)
ANOMALY_ERROR = "Error detected in {name}. Traceback of forward call that caused the error:\n{trace}"
ANOMALY_NAN = "Function '{name}' returned nan values in its {i}th output."
BROADCAST = (
    "The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton dimension {dim}"
)
GRAD_SHAPE = "Mismatch in shape: grad_output[{i}] has a shape of {got} and output[{i}] has a shape of {want}."
GRAD_DTYPE = (
    "For complex Tensors, both grad_output and output are required to have the same dtype. Mismatch "
    "in dtype: grad_output[{i}] has a dtype of {got} and output[{i}] has a dtype of {want}."
)
UNUSED_INPUT = (
    "One of the differentiated Tensors appears to not have been used in the graph. Set "
    "allow_unused=True if this is the desired behavior."
)
INPUT_NO_GRAD = "One of the differentiated Tensors does not require grad"
CUDA_UNAVAILABLE = "Torch not compiled with CUDA enabled"
VIEW_SIZE = (
    "view size is not compatible with input tensor's size and stride (at least one dimension spans "
    "across two contiguous subspaces). Use .reshape(...) instead."
)
SHAPE_INVALID = "shape '{shape}' is invalid for input of size {numel}"
DIM_RANGE = "Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})"
MATMUL_SHAPES = "mat1 and mat2 shapes cannot be multiplied ({a0}x{a1} and {b0}x{b1})"
INDEX_RANGE = "index {i} is out of bounds for dimension {dim} with size {size}"
ITEM_NUMEL = "a Tensor with {n} elements cannot be converted to Scalar"
BOOL_AMBIGUOUS = "Boolean value of Tensor with more than one value is ambiguous"
NUMPY_REQUIRES_GRAD = "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
INPLACE_DTYPE = "result type {res} can't be cast to the desired output type {out}"
ITER_0D = "iteration over a 0-d tensor"
LEN_0D = "len() of a 0-d tensor"
INFERENCE_INPLACE = "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to get a normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for more details."
