"""Russian (and English) text handling: normalising what monitoring streams deliver,
lemmas, and the sentiment model trained on real tweets."""
