//! A simulator of the governance platform (and, through `gridwall-sim-video`, the video network).
