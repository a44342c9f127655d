//! Token endpoint URLs: which are accepted, which are refused as insecure (plain http off loopback) or invalid, and
//! that a refusal never repeats credentials a URL carries.

use oauth_core::{MisuseError, TokenEndpoint};

#[derive(Debug, PartialEq)]
enum EndpointVerdict {
    Ok,
    Insecure,
    Invalid,
}

#[test]
fn endpoint_urls_are_checked() {
    use EndpointVerdict::{Insecure, Invalid, Ok};
    let table: &[(&str, &str, EndpointVerdict, EndpointVerdict)] = &[
        // (why, url, TokenEndpoint::new, TokenEndpoint::new_allowing_http)
        ("https", "https://eu2.thunderhead.com/one/oauth2token", Ok, Ok),
        ("https with a port", "https://cx.cloudfon.net:9001/oauth/token", Ok, Ok),
        ("http on a public host", "http://example.com/token", Insecure, Ok),
        ("http on a private host", "http://10.0.0.5/configapi/v2/oauth/token", Insecure, Ok),
        ("http on 127.0.0.1", "http://127.0.0.1:8080/token", Ok, Ok),
        ("http on 127.x.y.z", "http://127.255.0.9/token", Ok, Ok),
        ("http on localhost", "http://localhost:3000/token", Ok, Ok),
        ("http on LOCALHOST", "http://LOCALHOST/token", Ok, Ok),
        ("http on a .localhost name", "http://as.localhost/token", Ok, Ok),
        ("http on [::1]", "http://[::1]:9000/token", Ok, Ok),
        ("http on [0:0:0:0:0:0:0:1]", "http://[0:0:0:0:0:0:0:1]/token", Ok, Ok),
        ("http on 128.0.0.1", "http://128.0.0.1/token", Insecure, Ok),
        ("http on a name that starts like loopback", "http://127.0.0.1.example.com/token", Insecure, Ok),
        ("http on localhost as a subdomain", "http://localhost.example.com/token", Insecure, Ok),
        ("http on [::2]", "http://[::2]/token", Insecure, Ok),
        ("a fragment", "https://as.example/token#frag", Invalid, Invalid),
        ("userinfo", "https://user:pw@as.example/token", Invalid, Invalid),
        ("a relative path", "/oauth/token", Invalid, Invalid),
        ("no scheme", "as.example/token", Invalid, Invalid),
        ("ftp", "ftp://as.example/token", Invalid, Invalid),
        ("not a URL", "https://as example/token", Invalid, Invalid),
        ("empty", "", Invalid, Invalid),
        ("a port that is not a number", "https://as.example:9oo1/token", Invalid, Invalid),
        ("a port above 65535", "https://as.example:70000/token", Invalid, Invalid),
        ("port zero", "https://as.example:0/token", Invalid, Invalid),
        ("the highest port", "https://as.example:65535/token", Ok, Ok),
    ];
    let verdict = |r: Result<TokenEndpoint, MisuseError>, url: &str| match r {
        Result::Ok(endpoint) => {
            assert_eq!(endpoint.uri().to_string().trim_end_matches('/'), url.trim_end_matches('/'));
            Ok
        }
        Err(error) => {
            // The error names the URL, but never the credentials a URL may carry.
            assert!(!error.to_string().contains("user:pw"), "{error}");
            match error {
                MisuseError::InsecureEndpoint { url: u } if &*u == url => Insecure,
                MisuseError::InvalidEndpoint { url: u, reason } if !reason.is_empty() => {
                    let shown = if url.contains('@') { "https://[redacted]@as.example/token" } else { url };
                    assert_eq!(&*u, shown);
                    Invalid
                }
                other => panic!("{url}: unexpected {other:?}"),
            }
        }
    };
    for (why, url, strict, allowing) in table {
        assert_eq!(&verdict(TokenEndpoint::new(url), url), strict, "new: {why}");
        assert_eq!(&verdict(TokenEndpoint::new_allowing_http(url), url), allowing, "new_allowing_http: {why}");
    }
}
