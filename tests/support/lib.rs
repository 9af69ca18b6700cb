//! Harness for the whole-system tests: the built app under Xvfb, tauri-driver and WebDriver.
