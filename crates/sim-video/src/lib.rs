//! The video network gateway, simulated.
