"""PyTorch reference for nearest-neighbor.test: 1-NN by torch.cdist."""
import torch

points = torch.tensor([[0.0, 0.0], [0.2, 0.1], [5.0, 5.0], [5.2, 4.9], [0.0, 6.0], [0.1, 6.2]],
                      dtype=torch.float64)
labels = torch.tensor([0, 0, 1, 1, 2, 2])
queries = torch.tensor([[0.1, 0.0], [4.8, 5.1], [0.2, 5.5]], dtype=torch.float64)
nearest = torch.cdist(queries, points).argmin(dim=1)
for index in nearest.tolist():
    print(f"point {index} label {labels[index].item()}")
