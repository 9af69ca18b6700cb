//! What the benchmarks share: a command run as the page runs it, the round
//! trip under every change that goes through Rust to a painted page, and
//! the percentiles their figures are given in.

use anyhow::{Result, bail};

use crate::Wall;

impl Wall {
    /// Runs a command as the page would (`__TAURI_INTERNALS__.invoke`), from
    /// whichever window the session is on; its answer, or its error as one.
    pub async fn invoke(
        &self,
        command: &str,
        args: serde_json::Value,
    ) -> Result<serde_json::Value> {
        let answer = self
            .client
            .execute_async(
                "const [command, args, done] = arguments; \
                 window.__TAURI_INTERNALS__.invoke(command, args) \
                   .then((v) => done({ ok: v ?? null }), (e) => done({ err: e }));",
                vec![serde_json::json!(command), args],
            )
            .await?;
        match answer.get("ok") {
            Some(v) => Ok(v.clone()),
            None => bail!("{command} failed: {answer}"),
        }
    }

    /// A no-op command's round trip plus one frame, `n` times, in ms: the
    /// floor under any change that goes through Rust to a painted page.
    pub async fn command_round_trips(&self, n: usize) -> Result<Vec<f64>> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let t = self
                .client
                .execute_async(
                    "const done = arguments[0]; const t0 = performance.now(); \
                     window.__TAURI_INTERNALS__.invoke('signed_in').then(() => \
                       requestAnimationFrame(() => done(performance.now() - t0)));",
                    vec![],
                )
                .await?;
            out.push(t.as_f64().unwrap_or(f64::NAN));
        }
        Ok(out)
    }
}

/// The `p` quantile (0 to 1) of sorted values, nearest rank.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Prints `name: n, p50, p99` of `values` (ms) and returns the p50.
pub fn print_summary(name: &str, mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let (p50, p99) = (percentile(&values, 0.5), percentile(&values, 0.99));
    println!(
        "{name}: n={} p50={p50:.0} ms p99={p99:.0} ms max={:.0} ms",
        values.len(),
        values[values.len() - 1]
    );
    p50
}
