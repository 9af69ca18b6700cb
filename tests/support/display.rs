//! A virtual X display for one test: Xvfb on a number it picks itself.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::stop;

/// A virtual X display of a given size, ended on drop.
pub struct Display {
    pub number: u32,
    child: Child,
    /// Where Xvfb wrote its display number, kept open while it runs.
    _displayfd: std::io::BufReader<std::process::ChildStdout>,
}

impl Display {
    /// Xvfb picks the display number itself (`-displayfd`): it takes the
    /// first one whose lock file it can create, so two tests starting
    /// displays at once never share one. (Picking a number by looking for a
    /// free lock first let two tests pick the same one; the second Xvfb
    /// failed, both apps drew on the first, and when its test ended the
    /// other test's app lost its display: "page crash or hang" in CI.)
    pub fn start(width: u32, height: u32) -> Result<Self> {
        use std::io::BufRead;
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                &format!("{width}x{height}x24"),
                "-nolisten",
                "tcp",
                "-noreset",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start Xvfb: install it with scripts/setup")?;
        let stdout = child.stdout.take().context("Xvfb's stdout")?;
        // Xvfb writes the number once it accepts connections.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = std::io::BufReader::new(stdout);
            let mut line = String::new();
            let read = reader.read_line(&mut line);
            let _ = tx.send((read.map(|_| line), reader));
        });
        let got = rx.recv_timeout(Duration::from_secs(10));
        let (line, reader) = match got {
            Ok((Ok(line), reader)) if !line.trim().is_empty() => (line, reader),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                bail!("Xvfb did not come up");
            }
        };
        let number: u32 = line
            .trim()
            .parse()
            .with_context(|| format!("Xvfb's display number: {line:?}"))?;
        Ok(Self {
            number,
            child,
            _displayfd: reader,
        })
    }

    pub fn name(&self) -> String {
        format!(":{}", self.number)
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        // SIGTERM first: killed hard, Xvfb leaves its lock file behind.
        stop(&mut self.child, Duration::from_secs(3));
    }
}
