"""One small MLP classifier, implemented in PyTorch, JAX and scikit-learn, for ADR-0001."""

# the options of ADR-0001, in its order
FRAMEWORKS = ("pytorch", "jax", "sklearn")
