//! Records of the video network gateway (`video-network-api.yaml`).
