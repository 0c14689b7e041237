"""The learners' notes under ../shared/seeds/ that use layers and optimizers, with fixed inputs
and weights: ember prints exactly what torch 2.13 prints."""
import pytest

from seedrun import compare

# Weights are set from fixed numbers (the notes used random initialisation).
LINEARS = """
import numpy as np
def lin(seed):
    l = nn.Linear(2, 2)
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        l.weight.copy_(torch.tensor(rng.uniform(-1, 1, (2, 2)).astype(np.float32)))
        l.bias.copy_(torch.tensor(rng.uniform(-1, 1, 2).astype(np.float32)))
    return l
lin0, lin1, lin2, lin3 = lin(0), lin(1), lin(2), lin(3)
x = torch.tensor([[0.5, -1.0], [1.5, 2.0]])
x.requires_grad = True
"""

SNIPPETS = {
    # 001: detach() cuts the gradient flow to everything before it
    "001_detach_linear": LINEARS + """
x1 = lin0(x)
x2 = lin1(x1)
x2 = x2.detach()
x3 = lin2(x2)
x4 = lin3(x3)
x4.sum().backward()
print(lin0.weight.grad)
print(lin1.weight.grad)
print(lin2.weight.grad)
print(lin3.weight.grad)
""",
    # 001: requires_grad=False on a middle layer does not cut the flow
    "001_frozen_middle": LINEARS + """
x1 = lin0(x)
x2 = lin1(x1)
for p in lin2.parameters():
    p.requires_grad = False
x3 = lin2(x2)
x4 = lin3(x3)
x4.sum().backward()
print(lin0.weight.grad)
print(lin1.weight.grad)
print(lin2.weight.grad)
print(lin3.weight.grad)
""",
    # 001: zero_grad twice the same, and retain_graph with two losses and two optimizers
    "001_two_losses": LINEARS + """
opt1 = torch.optim.SGD(lin0.parameters(), lr=0.1)
opt2 = torch.optim.SGD(lin1.parameters(), lr=0.1)
h = lin0(x)
loss1 = h.pow(2).sum()
loss2 = lin1(h).sum()
loss1.backward(retain_graph=True)
loss2.backward(retain_graph=False)
opt1.step()
opt2.step()
print(lin0.weight)
print(lin1.weight)
lin0.zero_grad()
print(lin0.weight.grad)
opt2.zero_grad(set_to_none=False)
print(lin1.weight.grad)
""",
    # 001: optimizer.step() between two backward passes of one graph: an in-place error
    "001_step_then_backward": LINEARS + """
opt = torch.optim.SGD(lin0.parameters(), lr=0.1)
loss = lin0(x).pow(2).sum()
loss.backward(retain_graph=True)
opt.step()
loss.backward()
""",
    # 001: weight decay moves parameters whose gradient is zero, not those whose gradient is None
    "001_weight_decay_set_to_none": LINEARS + """
opt = torch.optim.SGD(lin0.parameters(), lr=0.1, weight_decay=0.5)
lin0(x).sum().backward()
opt.step()
opt.zero_grad(set_to_none=False)
opt.step()
print(lin0.weight)
opt.zero_grad()
print(lin0.weight.grad)
opt.step()
print(lin0.weight)
""",
    # 004: cutting a conv net with detach() (the notes' demo), fixed weights
    "004_conv_detach": """
import numpy as np
layer1 = nn.Conv2d(3, 1, (3, 3))
layer2 = nn.Conv2d(1, 1, (3, 3))
rng = np.random.default_rng(0)
with torch.no_grad():
    for l in (layer1, layer2):
        l.weight.copy_(torch.tensor(rng.uniform(-0.3, 0.3, tuple(l.weight.shape)).astype(np.float32)))
        l.bias.copy_(torch.tensor(rng.uniform(-0.3, 0.3, tuple(l.bias.shape)).astype(np.float32)))
x = torch.tensor(rng.standard_normal((1, 3, 8, 8)).astype(np.float32), requires_grad=True)
y = layer1(x)
z = layer2(y.detach())
o = z.sum()
o.backward()
print(layer1.weight.grad)
print(layer2.weight.grad)
print(y.grad_fn, z.grad_fn, o.grad_fn)
y2 = layer1(x)
y2.detach_()
z2 = layer2(y2)
print(y2.requires_grad, y2.grad_fn, z2.grad_fn)
""",
    # 004: eval() switches Dropout off and BatchNorm to running statistics; no_grad for inference
    "004_eval_mode": """
import numpy as np
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Dropout(0.5))
x = torch.tensor(np.arange(8, dtype=np.float32).reshape(2, 4) / 8)
with torch.no_grad():
    model[0].weight.copy_(torch.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)))
    model[0].bias.zero_()
out_train = model(x)
print(out_train.requires_grad, model.training)
print(model[1].running_mean, model[1].running_var)
model.eval()
print(model.training, model[2].training)
with torch.no_grad():
    outputs = model(x)
print(outputs)
print(outputs.requires_grad)
""",
    # 002: optim.SGD with a bare tensor instead of an iterable
    "002_sgd_bare_tensor": """
weights = torch.ones(4, requires_grad=True)
optimizer = torch.optim.SGD(weights, lr=0.01)
""",
    "002_sgd_step": """
weights = torch.ones(4, requires_grad=True)
optimizer = torch.optim.SGD([weights], lr=0.01)
for epoch in range(2):
    model_output = (weights * 3).sum()
    model_output.backward()
    optimizer.step()
    print(weights)
    optimizer.zero_grad()
    print(weights.grad)
""",
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_seed_snippet_with_layers(name):
    compare(SNIPPETS[name])
