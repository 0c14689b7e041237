"""``torch.distributed``: importable; ember runs in one process, so it reports itself
unavailable and any collective raises."""


def is_available() -> bool:
    return False


def is_initialized() -> bool:
    return False


def get_rank(group=None) -> int:
    return 0


def get_world_size(group=None) -> int:
    return 1


def _unsupported(*args, **kwargs):
    raise RuntimeError("torch.distributed is not supported in ember (single process only).")


init_process_group = destroy_process_group = barrier = all_reduce = broadcast = all_gather = _unsupported
reduce = gather = scatter = send = recv = new_group = _unsupported


class ReduceOp:
    SUM, AVG, PRODUCT, MIN, MAX = "sum", "avg", "product", "min", "max"
