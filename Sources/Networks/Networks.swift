// Networks: layers, model definitions, safetensors weights, training loop. Depends on Tensors.
