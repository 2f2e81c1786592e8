"""Neural models: architectures registry, bundles on disk, inference."""
