"""The shop's receivers for easypay's payment signals (connected in PaymentsConfig.ready)."""
