//! Records of the governance platform's open data API (`governance-api.yaml`).
