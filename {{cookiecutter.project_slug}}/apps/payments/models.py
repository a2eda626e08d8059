"""The shop's own payment models (Product, Payment) build on easypay.models."""
