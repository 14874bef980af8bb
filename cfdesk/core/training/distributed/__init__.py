"""Training over several processes started by torchrun (gloo on CPUs, NCCL on GPUs): each holds
its users' rows and about 1/N of the embedding tables; process 0 writes an ordinary model file."""
