"""Trained moderation heads (``heads.npz``), produced by ``training/moderation/train.py``."""
