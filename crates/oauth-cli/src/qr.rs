//! A QR code of the device flow's `verification_uri_complete`, drawn with Unicode half blocks
//! for a terminal, so a phone can scan it instead of typing the code.

use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;

/// The code as text, light on dark as terminals show it best; `None` when the URL is too long
/// for a QR code.
pub(crate) fn render(url: &str) -> Option<String> {
    let code = QrCode::new(url.as_bytes()).ok()?;
    Some(code.render::<Dense1x2>().dark_color(Dense1x2::Light).light_color(Dense1x2::Dark).quiet_zone(true).build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_verification_url_draws_as_a_square_of_half_blocks() {
        let text = super::render("https://example.com/device?user_code=WDJB-MJHT").unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // Modules plus a 4-module quiet zone each side, two module rows to a text line.
        let width = lines[0].chars().count();
        assert!(width >= 21 + 8 && width % 2 == 1, "{width}");
        assert!(lines.iter().all(|l| l.chars().count() == width));
        assert_eq!(lines.len(), width.div_ceil(2));
        assert!(text.chars().all(|c| matches!(c, ' ' | '\u{2580}' | '\u{2584}' | '\u{2588}' | '\n')));
    }
}
