"""Digests: the weekly manager digest and the team digest, built from kudos, pulses and rewards."""
