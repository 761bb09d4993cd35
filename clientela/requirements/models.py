"""Customer requirements and expectations, documented, prioritised and traced."""
