"""What the hub does and says for each intent, by kind: devices, questions, its own."""
