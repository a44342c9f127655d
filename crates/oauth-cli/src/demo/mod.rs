//! `oauth demo` (being written).

/// Runs the demo, writing its transcript to `out`; `Ok(true)` when every vendor's flow passed.
pub(crate) async fn run(out: &mut dyn std::io::Write) -> std::io::Result<bool> {
    writeln!(out, "the demo is being written")?;
    Ok(false)
}
