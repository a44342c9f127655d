//! JWT client authentication (RFC 7523 §2.2; OpenID Connect Core §9 `client_secret_jwt`,
//! `private_key_jwt`): the signed assertion a token request carries instead of a secret.

mod key;

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub use key::{AssertionKey, MIN_RSA_BITS};

/// The `client_assertion_type` of a JWT client assertion (RFC 7523 §2.2).
pub const JWT_BEARER_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long an assertion is valid after its `iat`, in seconds.
pub const ASSERTION_LIFETIME_SECS: u64 = 60;

/// What signs an assertion: the client secret (HS256) or a private key.
#[derive(Clone, Copy)]
pub(crate) enum Signer<'a> {
    Hs256(&'a [u8]),
    Key(&'a AssertionKey),
}

#[derive(serde::Serialize)]
struct Header<'a> {
    alg: &'a str,
    typ: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    jti: &'a str,
    iat: u64,
    exp: u64,
}

/// A signed client assertion (compact JWS): `iss` = `sub` = `client_id`, `aud` = `audience`,
/// `iat` = `now` in whole seconds, `exp` 60 s later, `jti` the base64url of `jti_entropy`.
pub(crate) fn sign_assertion(
    signer: Signer<'_>,
    client_id: &str,
    audience: &str,
    now: SystemTime,
    jti_entropy: [u8; 16],
) -> String {
    let (alg, kid) = match signer {
        Signer::Hs256(_) => ("HS256", None),
        Signer::Key(key) => (key.alg(), key.kid()),
    };
    let iat = now.duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs());
    let jti = URL_SAFE_NO_PAD.encode(jti_entropy);
    let claims = Claims {
        iss: client_id,
        sub: client_id,
        aud: audience,
        jti: &jti,
        iat,
        exp: iat.saturating_add(ASSERTION_LIFETIME_SECS),
    };
    // Invariant: two structs of strings and integers always serialize.
    let header = serde_json::to_vec(&Header { alg, typ: "JWT", kid }).expect("a JWT header serializes");
    let claims = serde_json::to_vec(&claims).expect("JWT claims serialize");
    let mut jwt = URL_SAFE_NO_PAD.encode(header);
    jwt.push('.');
    URL_SAFE_NO_PAD.encode_string(claims, &mut jwt);
    let signature = match signer {
        Signer::Hs256(secret) => {
            use hmac::{KeyInit as _, Mac as _};
            // Invariant: HMAC takes a key of any length.
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
            mac.update(jwt.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Signer::Key(key) => key.sign(jwt.as_bytes()),
    };
    jwt.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut jwt);
    jwt
}
