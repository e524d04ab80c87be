"""Signals for the apps above channels (they connect in their ``AppConfig.ready``)."""

from django.dispatch import Signal

# Sent with ``channel=`` and ``actor=`` inside the transaction that cleared the channel's "needs attention"
# (credentials changed, access check succeeded). Publishing queues the channel's waiting deliveries again.
channel_attention_cleared = Signal()
