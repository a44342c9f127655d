//! A headless user for oidc-provider's development pages (`devInteractions`), over plain HTTP:
//! a reqwest client that follows no redirect by itself, a cookie jar for the server's origin
//! (each `Set-Cookie` kept as `name=value`, all of them sent back as one `Cookie`), and just
//! enough HTML reading to fill in a form (its `action`, its `<input>`s). It walks the pages the
//! way a person would — sign in with any login and password, consent or cancel — and stops at
//! the redirect to the client, which it returns instead of following (or, for the device flow,
//! at the page the walk ends on).
//!
//! Nothing here is the library under test: this is the person at the browser.

use std::fmt;
use std::time::Duration;

use http::StatusCode;
use http::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};

/// How long one page may take; the server is local.
const PAGE_TIMEOUT: Duration = Duration::from_secs(10);

/// The most pages one walk visits before it is called a loop.
const MAX_STEPS: usize = 24;

/// What the person answers on the consent page (or the device confirmation page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Consent {
    Approve,
    /// `[ Cancel ]` on the consent page (`/interaction/<uid>/abort`), `[ Abort ]` on the device
    /// confirmation page.
    Deny,
}

/// How a walk ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum End {
    /// A redirect to the client: the absolute URL the server sent it to.
    Redirect(String),
    /// A page with no form to fill in, or one asking again for the user code already entered:
    /// its status, `<title>` and text.
    Page { status: StatusCode, title: String, text: String },
}

impl End {
    /// Whether this is the device flow's success page (`200`, "Sign-in Success").
    pub(crate) fn is_device_success(&self) -> bool {
        matches!(self, Self::Page { status, title, .. } if *status == StatusCode::OK && title == "Sign-in Success")
    }
}

/// One person at a browser, signed in (or not) at one authorization server.
pub(crate) struct Browser {
    client: reqwest::Client,
    /// `http://127.0.0.1:<port>`: cookies are kept from, and sent to, this origin only.
    origin: String,
    cookies: Vec<(String, String)>,
    login: String,
    /// Every request made: `GET /auth → 303`, for reports and errors.
    trail: Vec<String>,
}

impl Browser {
    /// A person who signs in as `login` at the server whose base URL is `origin`.
    pub(crate) fn new(origin: &str, login: &str) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(PAGE_TIMEOUT)
            .build()
            .map_err(|e| format!("the headless browser: {e}"))?;
        Ok(Self {
            client,
            origin: origin.trim_end_matches('/').to_owned(),
            cookies: Vec::new(),
            login: login.to_owned(),
            trail: Vec::new(),
        })
    }

    /// Opens `authorization_url`, signs in, answers the consent page with `consent`, and returns
    /// the URL the server redirects to once it is a redirect to the client (one starting with
    /// `redirect_uri`), without visiting it.
    pub(crate) async fn authorize(
        &mut self,
        authorization_url: &str,
        redirect_uri: &str,
        consent: Consent,
    ) -> Result<String, String> {
        match self.walk(Step::get(authorization_url), Some(redirect_uri), consent, None).await? {
            End::Redirect(url) => Ok(url),
            End::Page { status, text, .. } => Err(format!(
                "the sign-in ended on a page ({status} `{}`), not with a redirect to {redirect_uri}: {self}",
                excerpt(&text)
            )),
        }
    }

    /// Opens `verification_uri`, enters `user_code`, confirms it (or aborts, with
    /// [`Consent::Deny`]), signs in and consents; returns the page the walk ends on.
    pub(crate) async fn enter_user_code(
        &mut self,
        verification_uri: &str,
        user_code: &str,
        consent: Consent,
    ) -> Result<End, String> {
        // No redirect ends a device flow: every redirect is followed.
        self.walk(Step::get(verification_uri), None, consent, Some(user_code)).await
    }

    /// GETs `url` as a browser following a redirect would, without the server's cookies (the
    /// client's loopback receiver): the status and the page's text, tags removed.
    pub(crate) async fn visit(&mut self, url: &str) -> Result<(StatusCode, String), String> {
        let response = self.client.get(url).send().await.map_err(|e| format!("GET {url}: {e}"))?;
        let status = response.status();
        let body = response.text().await.map_err(|e| format!("GET {url}: {e}"))?;
        self.trail.push(format!("GET {} → {}", shorten(url), status.as_u16()));
        Ok((status, text_of(&body)))
    }

    /// How many requests the walks made.
    pub(crate) fn steps(&self) -> usize {
        self.trail.len()
    }

    /// Follows redirects and fills in forms from `first` until a redirect to `stop_at` (a URL
    /// prefix) or a page with no form.
    async fn walk(
        &mut self,
        first: Step,
        stop_at: Option<&str>,
        consent: Consent,
        user_code: Option<&str>,
    ) -> Result<End, String> {
        let mut step = first;
        let mut code_entered = false;
        for _ in 0..MAX_STEPS {
            let page = self.send(&step).await?;
            if page.status.is_redirection() {
                let location = page.location.ok_or_else(|| format!("a {} without Location: {self}", page.status))?;
                let location = self.absolute(&location);
                if stop_at.is_some_and(|prefix| location.starts_with(prefix)) {
                    return Ok(End::Redirect(location));
                }
                step = Step::get(&location);
                continue;
            }
            if page.status != StatusCode::OK {
                return Err(format!("{} `{}`: {self}", page.status, excerpt(&text_of(&page.body))));
            }
            let form = Form::first(&page.body);
            let asks_code_again = code_entered && form.as_ref().is_some_and(Form::asks_user_code);
            let Some(form) = form.filter(|_| !asks_code_again) else {
                return Ok(End::Page { status: page.status, title: title_of(&page.body), text: text_of(&page.body) });
            };
            code_entered |= form.asks_user_code();
            step = self.fill(&form, consent, user_code)?;
        }
        Err(format!("still walking after {MAX_STEPS} pages: {self}"))
    }

    /// What the person does with `form`: sign in, enter the user code, confirm or consent.
    fn fill(&self, form: &Form, consent: Consent, user_code: Option<&str>) -> Result<Step, String> {
        let action = self.absolute(&form.action);
        let mut fields = form.hidden.clone();
        if form.has_field("login") {
            fields.push(("login".to_owned(), self.login.clone()));
            fields.push(("password".to_owned(), "any password at all".to_owned()));
        } else if form.hidden_value("prompt") == Some("consent") {
            if consent == Consent::Deny {
                return Ok(Step::get(&format!("{action}/abort")));
            }
        } else if form.asks_user_code() {
            let code = user_code.ok_or_else(|| format!("a page asks for a user code: {self}"))?;
            fields.push(("user_code".to_owned(), code.to_owned()));
        } else if form.hidden_value("confirm").is_some() {
            if consent == Consent::Deny {
                fields.push(("abort".to_owned(), "yes".to_owned()));
            }
        } else {
            return Err(format!("a form this user does not know ({action}): {self}"));
        }
        Ok(Step { method: reqwest::Method::POST, url: action, form: Some(fields) })
    }

    async fn send(&mut self, step: &Step) -> Result<Page, String> {
        let mut request = self.client.request(step.method.clone(), &step.url);
        if step.url.starts_with(&self.origin) && !self.cookies.is_empty() {
            let cookies: Vec<String> = self.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect();
            request = request.header(COOKIE, cookies.join("; "));
        }
        if let Some(fields) = &step.form {
            let body: Vec<String> =
                fields.iter().map(|(name, value)| format!("{}={}", form_encode(name), form_encode(value))).collect();
            request = request.header(CONTENT_TYPE, "application/x-www-form-urlencoded").body(body.join("&"));
        }
        let shown = format!("{} {}", step.method, shorten(&step.url));
        let response = request.send().await.map_err(|e| format!("{shown}: {e}; {self}"))?;
        let status = response.status();
        self.trail.push(format!("{shown} → {}", status.as_u16()));
        if step.url.starts_with(&self.origin) {
            for header in response.headers().get_all(SET_COOKIE) {
                self.keep_cookie(&String::from_utf8_lossy(header.as_bytes()));
            }
        }
        let location = response.headers().get(LOCATION).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let body = response.text().await.map_err(|e| format!("{shown}: body: {e}"))?;
        Ok(Page { status, location, body })
    }

    /// Keeps `name=value` of a `Set-Cookie`; an empty value or an expiry in 1970 deletes it.
    fn keep_cookie(&mut self, set_cookie: &str) {
        let pair = set_cookie.split(';').next().unwrap_or_default();
        let Some((name, value)) = pair.split_once('=') else { return };
        let (name, value) = (name.trim(), value.trim());
        self.cookies.retain(|(kept, _)| kept != name);
        let deleted = value.is_empty() || set_cookie.to_ascii_lowercase().contains("expires=thu, 01 jan 1970");
        if !deleted {
            self.cookies.push((name.to_owned(), value.to_owned()));
        }
    }

    /// `location` as an absolute URL (oidc-provider sends paths for its own pages).
    fn absolute(&self, location: &str) -> String {
        if location.starts_with('/') { format!("{}{location}", self.origin) } else { location.to_owned() }
    }
}

/// The walk so far, for an error: `GET /auth → 303, GET /interaction/… → 200, …`.
impl fmt::Display for Browser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.trail.join(", "))
    }
}

/// One request to make.
struct Step {
    method: reqwest::Method,
    url: String,
    /// The form fields of a POST.
    form: Option<Vec<(String, String)>>,
}

impl Step {
    fn get(url: &str) -> Self {
        Self { method: reqwest::Method::GET, url: url.to_owned(), form: None }
    }
}

/// One answer.
struct Page {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

/// The first `<form>` of a page: where it posts, and its inputs.
#[derive(Debug)]
struct Form {
    action: String,
    /// `type="hidden"` inputs, with their values.
    hidden: Vec<(String, String)>,
    /// The names of every input.
    names: Vec<String>,
}

impl Form {
    fn first(html: &str) -> Option<Self> {
        let start = html.find("<form")?;
        let rest = &html[start..];
        let end = rest.find("</form>").unwrap_or(rest.len());
        let form = &rest[..end];
        let open_tag = &form[..form.find('>')?];
        let action = attribute(open_tag, "action")?;
        let (mut hidden, mut names) = (Vec::new(), Vec::new());
        for piece in form.split("<input").skip(1) {
            let tag = &piece[..piece.find('>').unwrap_or(piece.len())];
            let Some(name) = attribute(tag, "name") else { continue };
            if attribute(tag, "type").as_deref() == Some("hidden") {
                hidden.push((name.clone(), attribute(tag, "value").unwrap_or_default()));
            }
            names.push(name);
        }
        Some(Self { action, hidden, names })
    }

    /// The device flow's code entry form (not the confirmation, which carries the code hidden).
    fn asks_user_code(&self) -> bool {
        self.has_field("user_code") && self.hidden_value("user_code").is_none()
    }

    fn has_field(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    fn hidden_value(&self, name: &str) -> Option<&str> {
        self.hidden.iter().find(|(n, _)| n == name).map(|(_, value)| value.as_str())
    }
}

/// The value of `name="…"` in a tag (the attribute's name preceded by white space), unescaped.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    let mut from = 0;
    while let Some(at) = tag[from..].find(&needle) {
        let at = from + at;
        let after = at + needle.len();
        if tag[..at].ends_with(|c: char| c.is_ascii_whitespace()) {
            let value = &tag[after..];
            return Some(unescape(&value[..value.find('"')?]));
        }
        from = after;
    }
    None
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `<title>` of a page.
fn title_of(html: &str) -> String {
    let Some(start) = html.find("<title>") else { return String::new() };
    let rest = &html[start + "<title>".len()..];
    unescape(rest[..rest.find("</title>").unwrap_or(rest.len())].trim())
}

/// A page's text: tags, `<style>` and `<script>` removed, white space collapsed.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        text.push(' ');
        let tag = &rest[open..];
        let skip_to = ["<style", "<script"]
            .iter()
            .find(|t| tag.starts_with(**t))
            .and_then(|t| tag.find(&format!("</{}>", &t[1..])))
            .unwrap_or(0);
        let tag = &tag[skip_to..];
        rest = tag.find('>').map_or("", |close| &tag[close + 1..]);
    }
    text.push_str(rest);
    unescape(&text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first 200 characters of `text`.
fn excerpt(text: &str) -> String {
    let cut: String = text.chars().take(200).collect();
    if cut.len() < text.len() { format!("{cut}…") } else { cut }
}

/// A URL for the trail: path only for the server's pages, no query, long path segments (the
/// interaction ids) shortened.
fn shorten(url: &str) -> String {
    let without_query = url.split('?').next().unwrap_or_default();
    let path = without_query.strip_prefix("http://").and_then(|rest| rest.find('/').map(|at| &rest[at..]));
    let path = path.unwrap_or(without_query);
    let segments: Vec<&str> = path.split('/').map(|s| if s.len() > 16 { "…" } else { s }).collect();
    segments.join("/")
}

/// `application/x-www-form-urlencoded`, as a browser sends a form.
pub(crate) fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b' ' => "+".to_owned(),
            b'*' | b'-' | b'.' | b'_' => char::from(b).to_string(),
            _ if b.is_ascii_alphanumeric() => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The value of query parameter `name` in `url`, decoded (`+` as a space, `%XX` as a byte).
pub(crate) fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1.split('#').next().unwrap_or_default();
    let value = query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))?;
    let mut bytes = Vec::new();
    let mut raw = value.bytes();
    while let Some(b) = raw.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = [raw.next()?, raw.next()?];
                bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            _ => bytes.push(b),
        }
    }
    String::from_utf8(bytes).ok()
}

/// Starts `request` and has the headless user `user` answer it at `base`'s sign-in pages with
/// `consent`: the redirect, the pending request that reads it, and how many pages it took.
pub(crate) async fn redirect_for(
    base: &str,
    user: &str,
    request: oauth_core::authorization::AuthorizationRequest,
    consent: Consent,
) -> Result<(http::Uri, oauth_core::authorization::PendingAuthorization, usize), String> {
    let (url, pending) = request.start(crate::steps::entropy()?).map_err(|e| e.to_string())?;
    let mut browser = Browser::new(base, user)?;
    let redirect_uri = pending.redirect_uri().to_string();
    let redirect = browser.authorize(&url.to_string(), &redirect_uri, consent).await?;
    let redirect: http::Uri = redirect.parse().map_err(|e| format!("the redirect {redirect:?}: {e}"))?;
    crate::check::ensure(pending.is_redirect(&redirect), || format!("{redirect} is not a request to {redirect_uri}"))?;
    Ok((redirect, pending, browser.steps()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_read_as_oidc_provider_writes_them() {
        let login = r#"<form autocomplete="off" action="http://127.0.0.1:1/interaction/abc" method="post">
  <input type="hidden" name="prompt" value="login"/>
  <input required type="text" name="login" placeholder="Enter any login" autofocus="on">
  <input required type="password" name="password" placeholder="and password" >
  <button type="submit" class="login login-submit">Sign-in</button>
</form>"#;
        let form = Form::first(login).expect("a form");
        assert_eq!(form.action, "http://127.0.0.1:1/interaction/abc");
        assert_eq!(form.hidden, [("prompt".to_owned(), "login".to_owned())]);
        assert!(form.has_field("login") && form.has_field("password"));

        let device = r#"<form id="op.deviceInputForm" novalidate method="post" action="http://127.0.0.1:1/device">
  <input type="hidden" name="xsrf" value="x&amp;y"/>
  <input
    type="text" name="user_code" placeholder="Enter code" autofocus autocomplete="off"></input>
  </form>"#;
        let form = Form::first(device).expect("a form");
        assert_eq!(form.hidden_value("xsrf"), Some("x&y"));
        assert!(form.has_field("user_code") && form.hidden_value("user_code").is_none());
    }

    #[test]
    fn pages_and_urls_are_read() {
        let page = "<html><head><title>Sign-in Success</title><style>h1{x:y}</style></head><body><h1>Done</h1> \
                    <p>you can now close this page.</p></body></html>";
        assert_eq!(title_of(page), "Sign-in Success");
        assert_eq!(text_of(page), "Sign-in Success Done you can now close this page.");
        assert_eq!(
            query_param("http://h/auth?a=1&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&s=a+b", "redirect_uri")
                .as_deref(),
            Some("http://127.0.0.1:9/callback")
        );
        assert_eq!(query_param("http://h/auth?a=1&s=a+b", "s").as_deref(), Some("a b"));
        assert_eq!(shorten("http://127.0.0.1:1/interaction/y060MgLsMKtykndn1u9yGTS9hPKA?x=1"), "/interaction/…");
        assert_eq!(form_encode("a b+c/d:e%f&g=h"), "a+b%2Bc%2Fd%3Ae%25f%26g%3Dh");
    }
}
