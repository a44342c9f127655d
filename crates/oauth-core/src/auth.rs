//! Client authentication (RFC 6749 §2.3): Basic in its three spellings, the form body, or none.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Uri};

use std::sync::Arc;
use std::time::SystemTime;

use crate::assertion::{JWT_BEARER_ASSERTION_TYPE, Signer, sign_assertion};
use crate::{AssertionKey, ClientId, ClientSecret, MisuseError};

/// How the client id and secret are encoded inside a Basic `Authorization` header.
///
/// Servers disagree (see the project's interop notes): no single spelling works everywhere,
/// which is why this is a choice and why the token source has an auto mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum BasicEncoding {
    /// RFC 6749 §2.3.1: form-urlencode id and secret, but write a space as `%20`, which every
    /// spec-following server accepts (Authlib rejects `+`). The default.
    #[default]
    Percent,
    /// RFC 6749 §2.3.1 read literally: form-urlencode with a space as `+`.
    FormPlus,
    /// RFC 7617: the id and secret as they are, UTF-8. What some vendors document, and what servers
    /// that do not decode the credentials need.
    Raw,
}

/// Where the client's credentials go in a token request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthMethod {
    /// `client_secret_basic`: an `Authorization: Basic …` header.
    Basic(BasicEncoding),
    /// `client_secret_post`: `client_id` and `client_secret` in the form body.
    Post,
    /// `none`: a public client; only `client_id` goes in the form body.
    None,
    /// `client_secret_jwt` (RFC 7523 §2.2, OpenID Connect Core §9): a JWT signed HS256 with the
    /// client secret, fresh for each request, in `client_assertion`; the secret itself is never
    /// sent. Its requests are built by the `_at` form of each builder
    /// ([`TokenEndpoint::build_request_at`](crate::TokenEndpoint::build_request_at), …), which
    /// takes the time and entropy; the others refuse it with [`MisuseError::AssertionNeedsTime`].
    ClientSecretJwt,
    /// `private_key_jwt` (RFC 7523 §2.2, OpenID Connect Core §9): a JWT signed with the client's
    /// [`AssertionKey`](crate::AssertionKey), fresh for each request, in `client_assertion`.
    /// Built as [`AuthMethod::ClientSecretJwt`]'s requests are.
    PrivateKeyJwt,
    /// `tls_client_auth` (RFC 8705 §2.1): the client's PKI certificate, presented in the TLS
    /// handshake by the transport, proves the client; `client_id` goes in the form body, no secret.
    TlsClientAuth,
    /// `self_signed_tls_client_auth` (RFC 8705 §2.2): as [`AuthMethod::TlsClientAuth`], with a
    /// self-signed certificate the server knows from the client's registration.
    SelfSignedTlsClientAuth,
}

impl Default for AuthMethod {
    fn default() -> Self {
        Self::Basic(BasicEncoding::Percent)
    }
}

impl AuthMethod {
    /// The RFC 8414 / OpenID name of the method (`client_secret_basic`, …).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Basic(_) => "client_secret_basic",
            Self::Post => "client_secret_post",
            Self::None => "none",
            Self::ClientSecretJwt => "client_secret_jwt",
            Self::PrivateKeyJwt => "private_key_jwt",
            Self::TlsClientAuth => "tls_client_auth",
            Self::SelfSignedTlsClientAuth => "self_signed_tls_client_auth",
        }
    }

    /// Whether the method sends a signed client assertion (`client_secret_jwt`,
    /// `private_key_jwt`), which must be made fresh for each request.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::AuthMethod;
    /// assert!(AuthMethod::PrivateKeyJwt.uses_assertion());
    /// assert_eq!(AuthMethod::ClientSecretJwt.name(), "client_secret_jwt");
    /// assert!(!AuthMethod::TlsClientAuth.uses_assertion());
    /// assert_eq!(AuthMethod::SelfSignedTlsClientAuth.name(), "self_signed_tls_client_auth");
    /// ```
    #[must_use]
    pub const fn uses_assertion(self) -> bool {
        matches!(self, Self::ClientSecretJwt | Self::PrivateKeyJwt)
    }
}

/// A client's identity and how it proves it to the token endpoint.
///
/// Everything that depends only on the credentials is done once, when the value is made: the
/// Basic header is encoded, the form-encoded `client_id`/`client_secret` written, and the
/// request headers assembled. Every request shares them.
///
/// # Examples
/// ```
/// use oauth_core::{AuthMethod, BasicEncoding, ClientAuth, ClientId, ClientSecret};
/// // A vendor's documented example credentials and header (UUIDs need no escaping).
/// let auth = ClientAuth::new(
///     ClientId::new("2e8fec0e-34fb-4851-800e-9989331e55d2")?,
///     Some(ClientSecret::new("d7f4484f-9817-4778-9161-6eb06d1f6cf7")),
///     AuthMethod::Basic(BasicEncoding::Raw),
/// )?;
/// let header = auth.authorization_header().unwrap();
/// assert_eq!(header.to_str().unwrap(),
///     "Basic MmU4ZmVjMGUtMzRmYi00ODUxLTgwMGUtOTk4OTMzMWU1NWQyOmQ3ZjQ0ODRmLTk4MTctNDc3OC05MTYxLTZlYjA2ZDFmNmNmNw==");
/// assert!(header.is_sensitive());
/// # Ok::<(), oauth_core::MisuseError>(())
/// ```
#[derive(Clone)]
pub struct ClientAuth {
    id: ClientId,
    secret: Option<ClientSecret>,
    method: AuthMethod,
    basic_header: Option<HeaderValue>,
    /// `Content-Type`, `Accept` and, for Basic, `Authorization`.
    headers: HeaderMap,
    /// `client_id=…[&client_secret=…]` for the body methods; empty for Basic.
    form_credentials: FormCredentials,
    /// The key that signs `private_key_jwt` assertions, kept across `with_method`.
    assertion_key: Option<AssertionKey>,
    /// The assertion's `aud` when not the token endpoint's URL.
    assertion_audience: Option<Arc<str>>,
    /// The `x5t#S256` of the TLS client certificate the transport presents, when known.
    client_certificate: Option<Arc<str>>,
}

/// Form-encoded credentials, wiped when dropped (they hold the secret).
#[derive(Clone, Default)]
pub(crate) struct FormCredentials(Option<crate::ClientSecret>);

impl FormCredentials {
    pub(crate) fn as_str(&self) -> &str {
        self.0.as_ref().map_or("", crate::ClientSecret::secret)
    }
}

/// A client assertion made for one request (RFC 7523 §2.2), as the form carries it:
/// `client_assertion_type=…&client_assertion=<the JWT>`. Wiped when dropped; the JWT is a
/// credential, kept by the request's pending value to scrub from the answer's errors.
#[derive(Clone)]
pub(crate) struct ClientAssertion {
    form: ClientSecret,
}

/// What the form holds before the JWT (which form encoding leaves as it is: base64url and dots).
const ASSERTION_FORM_PREFIX: &str =
    "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=";

impl ClientAssertion {
    /// The two form pairs, encoded.
    pub(crate) fn form(&self) -> &str {
        self.form.secret()
    }

    /// The signed JWT alone.
    pub(crate) fn jwt(&self) -> &str {
        self.form().strip_prefix(ASSERTION_FORM_PREFIX).unwrap_or_else(|| self.form())
    }
}

const FORM: HeaderValue = HeaderValue::from_static("application/x-www-form-urlencoded");
const JSON: HeaderValue = HeaderValue::from_static("application/json");

impl ClientAuth {
    /// Credentials with an explicit method. A missing secret with a Basic method encodes an
    /// empty secret (`id:`); with [`AuthMethod::Post`] only `client_id` is sent.
    ///
    /// # Errors
    /// [`MisuseError::ColonInRawBasicClientId`] for [`BasicEncoding::Raw`] with a `:` in the id;
    /// [`MisuseError::MissingAssertionSigner`] for [`AuthMethod::ClientSecretJwt`] without a
    /// secret and for [`AuthMethod::PrivateKeyJwt`] (use [`ClientAuth::private_key_jwt`]).
    pub fn new(id: ClientId, secret: Option<ClientSecret>, method: AuthMethod) -> Result<Self, MisuseError> {
        Self::with_key(id, secret, None, method)
    }

    fn with_key(
        id: ClientId,
        secret: Option<ClientSecret>,
        key: Option<AssertionKey>,
        method: AuthMethod,
    ) -> Result<Self, MisuseError> {
        let basic_header = match method {
            AuthMethod::Basic(encoding) => Some(basic_header(&id, secret.as_ref(), encoding)?),
            AuthMethod::ClientSecretJwt if secret.is_none() => {
                return Err(MisuseError::MissingAssertionSigner { method: method.name(), needs: "a client secret" });
            }
            AuthMethod::PrivateKeyJwt if key.is_none() => {
                return Err(MisuseError::MissingAssertionSigner { method: method.name(), needs: "a private key" });
            }
            _ => None,
        };
        let mut auth = Self::assemble(id, secret, method, basic_header);
        auth.assertion_key = key;
        Ok(auth)
    }

    fn assemble(id: ClientId, secret: Option<ClientSecret>, method: AuthMethod, basic: Option<HeaderValue>) -> Self {
        let mut headers = HeaderMap::with_capacity(3);
        headers.insert(CONTENT_TYPE, FORM);
        headers.insert(ACCEPT, JSON);
        if let Some(basic) = &basic {
            headers.insert(AUTHORIZATION, basic.clone());
        }
        let form_credentials = match method {
            AuthMethod::Basic(_) => FormCredentials::default(),
            // The body methods, and those that prove the client otherwise (an assertion added per
            // request, a TLS certificate): `client_id`, and the secret only for `client_secret_post`.
            _ => {
                let mut form = form_urlencoded::Serializer::new(String::new());
                form.append_pair("client_id", id.as_str());
                if let (AuthMethod::Post, Some(secret)) = (method, &secret) {
                    form.append_pair("client_secret", secret.secret());
                }
                FormCredentials(Some(crate::ClientSecret::new(form.finish())))
            }
        };
        Self {
            id,
            secret,
            method,
            basic_header: basic,
            headers,
            form_credentials,
            assertion_key: None,
            assertion_audience: None,
            client_certificate: None,
        }
    }

    /// `client_secret_jwt` (RFC 7523 §2.2): each request carries a fresh JWT signed HS256 with
    /// `secret`; the secret itself never leaves. Build its requests with the `_at` forms
    /// ([`TokenEndpoint::build_request_at`](crate::TokenEndpoint::build_request_at),
    /// [`RevocationRequest::build_request_at`](crate::RevocationRequest::build_request_at), …),
    /// which take the time and the entropy each assertion needs.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::{AuthMethod, ClientAuth, ClientId, ClientSecret};
    /// let auth = ClientAuth::client_secret_jwt(ClientId::new("app")?, ClientSecret::new("s3cr3t"));
    /// assert_eq!(auth.method(), AuthMethod::ClientSecretJwt);
    /// assert!(!format!("{auth:?}").contains("s3cr3t"));
    /// # Ok::<(), oauth_core::MisuseError>(())
    /// ```
    #[must_use]
    pub fn client_secret_jwt(id: ClientId, secret: ClientSecret) -> Self {
        Self::assemble(id, Some(secret), AuthMethod::ClientSecretJwt, None)
    }

    /// `private_key_jwt` (RFC 7523 §2.2): each request carries a fresh JWT signed with `key`.
    /// Build its requests with the `_at` forms, as for [`ClientAuth::client_secret_jwt`].
    ///
    /// # Examples
    /// ```
    /// use oauth_core::{AssertionKey, AuthMethod, ClientAuth, ClientId};
    /// let key = AssertionKey::ed25519_pkcs8_pem("-----BEGIN PRIVATE KEY-----
    /// MC4CAQAwBQYDK2VwBCIEIBTkUikAbUmXHMIabopeXTBQgIC/SpYZtRRW0yNAeUmO
    /// -----END PRIVATE KEY-----")?;
    /// let auth = ClientAuth::private_key_jwt(ClientId::new("app")?, key);
    /// assert_eq!(auth.method().name(), "private_key_jwt");
    /// assert_eq!(auth.assertion_key().map(AssertionKey::alg), Some("EdDSA"));
    /// # Ok::<(), oauth_core::MisuseError>(())
    /// ```
    #[must_use]
    pub fn private_key_jwt(id: ClientId, key: AssertionKey) -> Self {
        let mut auth = Self::assemble(id, None, AuthMethod::PrivateKeyJwt, None);
        auth.assertion_key = Some(key);
        auth
    }

    /// Mutual TLS (RFC 8705 §2): `tls_client_auth` or `self_signed_tls_client_auth` — only
    /// `client_id` in the body; the transport presents the client certificate: over reqwest,
    /// `ReqwestTransport::from_builder(Client::builder().identity(..))`; over hyper,
    /// `HyperTransport::new` with a hyper-rustls connector whose rustls `ClientConfig` was
    /// built `with_client_auth_cert`. Give the client the certificate too
    /// ([`ClientAuth::with_client_certificate`]) so cached and shared tokens are bound to it.
    ///
    /// # Errors
    /// [`MisuseError::NotTlsClientAuth`] for any other `method`.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::{AuthMethod, ClientAuth, ClientId};
    /// let auth = ClientAuth::tls(ClientId::new("app")?, AuthMethod::TlsClientAuth)?;
    /// assert_eq!(auth.method().name(), "tls_client_auth");
    /// assert!(auth.client_secret().is_none());
    /// assert!(ClientAuth::tls(ClientId::new("app")?, AuthMethod::Post).is_err());
    /// # Ok::<(), oauth_core::MisuseError>(())
    /// ```
    pub fn tls(id: ClientId, method: AuthMethod) -> Result<Self, MisuseError> {
        match method {
            AuthMethod::TlsClientAuth | AuthMethod::SelfSignedTlsClientAuth => {
                Ok(Self::assemble(id, None, method, None))
            }
            _ => Err(MisuseError::NotTlsClientAuth { method: method.name() }),
        }
    }

    /// The same client, its assertions addressed to `audience` (`aud`) on every endpoint instead
    /// of the URL each request goes to (the token endpoint's, the revocation endpoint's, …) —
    /// the issuer identifier, for servers that ask for it. Other methods ignore it.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::{ClientAuth, ClientId, ClientSecret};
    /// let auth = ClientAuth::client_secret_jwt(ClientId::new("app")?, ClientSecret::new("s"))
    ///     .with_assertion_audience("https://as.example");
    /// assert_eq!(auth.assertion_audience(), Some("https://as.example"));
    /// # Ok::<(), oauth_core::MisuseError>(())
    /// ```
    #[must_use]
    pub fn with_assertion_audience(mut self, audience: impl Into<String>) -> Self {
        self.assertion_audience = Some(Arc::from(audience.into()));
        self
    }

    /// The same client, presenting the TLS client certificate `der` (its DER bytes) — through
    /// the transport, which holds the certificate and its key. The client keeps only its
    /// thumbprint, `x5t#S256` (RFC 8705 §3.1: the base64url SHA-256 of the DER), which is part
    /// of its [`CredentialBinding`](crate::CredentialBinding): a token a cache or a fleet store
    /// holds for one certificate is not served to a client with another.
    ///
    /// # Examples
    /// ```
    /// use oauth_core::{AuthMethod, ClientAuth, ClientId};
    /// let auth = ClientAuth::tls(ClientId::new("app")?, AuthMethod::TlsClientAuth)?
    ///     .with_client_certificate(b"the certificate's DER");
    /// assert_eq!(auth.client_certificate_thumbprint(), Some("-SCJg9dORm10DZBwDvBy65WTsEUb_CWuQTLjXvAHk-U"));
    /// # Ok::<(), oauth_core::MisuseError>(())
    /// ```
    #[must_use]
    pub fn with_client_certificate(mut self, der: &[u8]) -> Self {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use sha2::Digest as _;
        self.client_certificate = Some(Arc::from(URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(der))));
        self
    }

    /// Whether the client presents a TLS certificate: a mutual-TLS method, or a certificate
    /// given with [`ClientAuth::with_client_certificate`] (certificate-bound tokens, RFC 8705
    /// §3). Such a client uses the server's mutual-TLS endpoint aliases
    /// ([`ServerMetadata::endpoint_for`](crate::discovery::ServerMetadata::endpoint_for)).
    ///
    /// # Examples
    /// ```
    /// use oauth_core::{AuthMethod, ClientAuth, ClientId, ClientSecret};
    /// let basic = ClientAuth::basic(ClientId::new("app")?, ClientSecret::new("s"));
    /// assert!(!basic.presents_certificate());
    /// assert!(basic.with_client_certificate(b"DER").presents_certificate());
    /// assert!(ClientAuth::tls(ClientId::new("app")?, AuthMethod::TlsClientAuth)?.presents_certificate());
    /// # Ok::<(), oauth_core::MisuseError>(())
    /// ```
    #[must_use]
    pub fn presents_certificate(&self) -> bool {
        matches!(self.method, AuthMethod::TlsClientAuth | AuthMethod::SelfSignedTlsClientAuth)
            || self.client_certificate.is_some()
    }

    /// The `x5t#S256` of the certificate given to [`ClientAuth::with_client_certificate`].
    ///
    /// # Examples
    /// See [`ClientAuth::with_client_certificate`].
    #[must_use]
    pub fn client_certificate_thumbprint(&self) -> Option<&str> {
        self.client_certificate.as_deref()
    }

    /// The `aud` set by [`ClientAuth::with_assertion_audience`], if any.
    ///
    /// # Examples
    /// See [`ClientAuth::with_assertion_audience`].
    #[must_use]
    pub fn assertion_audience(&self) -> Option<&str> {
        self.assertion_audience.as_deref()
    }

    /// The `private_key_jwt` key, if any.
    ///
    /// # Examples
    /// See [`ClientAuth::private_key_jwt`].
    #[must_use]
    pub fn assertion_key(&self) -> Option<&AssertionKey> {
        self.assertion_key.as_ref()
    }

    /// A fresh client assertion for one request, for the JWT methods; `None` for the others.
    /// Its `aud` is the client's [`assertion_audience`](Self::assertion_audience) when set,
    /// else `endpoint`: the URL the request goes to (the token endpoint's for a token request).
    pub(crate) fn assertion(&self, endpoint: &Uri, now: SystemTime, jti_entropy: [u8; 16]) -> Option<ClientAssertion> {
        let signer = match self.method {
            AuthMethod::ClientSecretJwt => Signer::Hs256(self.secret.as_ref()?.secret().as_bytes()),
            AuthMethod::PrivateKeyJwt => Signer::Key(self.assertion_key.as_ref()?),
            _ => return None,
        };
        let endpoint_url;
        let audience = match self.assertion_audience.as_deref() {
            Some(audience) => audience,
            None => {
                endpoint_url = endpoint.to_string();
                &endpoint_url
            }
        };
        let jwt = ClientSecret::new(sign_assertion(signer, self.id.as_str(), audience, now, jti_entropy));
        let mut form =
            form_urlencoded::Serializer::new(String::with_capacity(ASSERTION_FORM_PREFIX.len() + jwt.secret().len()));
        form.append_pair("client_assertion_type", JWT_BEARER_ASSERTION_TYPE);
        form.append_pair("client_assertion", jwt.secret());
        Some(ClientAssertion { form: ClientSecret::new(form.finish()) })
    }

    /// `Err` for the JWT methods, whose requests need the time and entropy of `call_instead`
    /// (the `_at` form of the call that asks); `Ok` for every other method.
    pub(crate) fn refuse_assertion(&self, call_instead: &'static str) -> Result<(), MisuseError> {
        if self.method.uses_assertion() {
            return Err(MisuseError::AssertionNeedsTime { method: self.method.name(), call_instead });
        }
        Ok(())
    }

    /// `client_secret_basic` with the default percent encoding. Never fails.
    #[must_use]
    pub fn basic(id: ClientId, secret: ClientSecret) -> Self {
        let method = AuthMethod::Basic(BasicEncoding::Percent);
        // Only raw encoding can fail (on a colon in the id); percent encoding escapes it.
        let basic_header = basic_header(&id, Some(&secret), BasicEncoding::Percent).ok();
        Self::assemble(id, Some(secret), method, basic_header)
    }

    /// `client_secret_post`: both values in the form body.
    #[must_use]
    pub fn post(id: ClientId, secret: ClientSecret) -> Self {
        Self::assemble(id, Some(secret), AuthMethod::Post, None)
    }

    /// A public client (`none`): only `client_id`, in the form body.
    #[must_use]
    pub fn public(id: ClientId) -> Self {
        Self::assemble(id, None, AuthMethod::None, None)
    }

    /// The same credentials with another method (for servers that need a different one).
    ///
    /// # Errors
    /// As [`ClientAuth::new`].
    pub fn with_method(&self, method: AuthMethod) -> Result<Self, MisuseError> {
        let auth = Self::with_key(self.id.clone(), self.secret.clone(), self.assertion_key.clone(), method)?;
        Ok(Self {
            assertion_audience: self.assertion_audience.clone(),
            client_certificate: self.client_certificate.clone(),
            ..auth
        })
    }

    /// The client id.
    #[must_use]
    pub fn client_id(&self) -> &ClientId {
        &self.id
    }

    /// The client secret, when there is one.
    #[must_use]
    pub fn client_secret(&self) -> Option<&ClientSecret> {
        self.secret.as_ref()
    }

    /// The method.
    #[must_use]
    pub fn method(&self) -> AuthMethod {
        self.method
    }

    /// The `Authorization` header value for Basic methods (marked sensitive).
    #[must_use]
    pub fn authorization_header(&self) -> Option<&HeaderValue> {
        self.basic_header.as_ref()
    }

    /// The headers of every token request: `Content-Type`, `Accept`, and `Authorization` for Basic.
    pub(crate) fn request_headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// `client_id=…[&client_secret=…]`, form-encoded, for the body methods; empty for Basic.
    pub(crate) fn form_credentials(&self) -> &str {
        self.form_credentials.as_str()
    }
}

impl fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientAuth")
            .field("id", &self.id)
            .field("secret", &self.secret)
            .field("method", &self.method)
            .field("assertion_key", &self.assertion_key)
            .field("client_certificate", &self.client_certificate)
            .finish_non_exhaustive()
    }
}

/// Encodes one credential for the Basic header.
fn encode_part(out: &mut Vec<u8>, value: &str, encoding: BasicEncoding) {
    match encoding {
        BasicEncoding::Raw => out.extend_from_slice(value.as_bytes()),
        BasicEncoding::FormPlus => {
            for chunk in form_urlencoded::byte_serialize(value.as_bytes()) {
                out.extend_from_slice(chunk.as_bytes());
            }
        }
        BasicEncoding::Percent => {
            // byte_serialize writes a space as `+` and a literal `+` as `%2B`, so every `+`
            // in its output is a space.
            for chunk in form_urlencoded::byte_serialize(value.as_bytes()) {
                if chunk == "+" {
                    out.extend_from_slice(b"%20");
                } else {
                    out.extend_from_slice(chunk.as_bytes());
                }
            }
        }
    }
}

/// The `user-pass` string of RFC 7617 §2, before base64, in the given encoding.
///
/// # Errors
/// [`MisuseError::ColonInRawBasicClientId`] for raw encoding of an id with a colon.
pub fn basic_credentials(id: &str, secret: &str, encoding: BasicEncoding) -> Result<Vec<u8>, MisuseError> {
    if encoding == BasicEncoding::Raw && id.contains(':') {
        return Err(MisuseError::ColonInRawBasicClientId);
    }
    let mut plain = Vec::with_capacity((id.len() + secret.len()) * 3 + 1);
    encode_part(&mut plain, id, encoding);
    plain.push(b':');
    encode_part(&mut plain, secret, encoding);
    Ok(plain)
}

fn basic_header(
    id: &ClientId,
    secret: Option<&ClientSecret>,
    encoding: BasicEncoding,
) -> Result<HeaderValue, MisuseError> {
    let secret = secret.map_or("", ClientSecret::secret);
    let mut plain = basic_credentials(id.as_str(), secret, encoding)?;
    let mut header = String::with_capacity(6 + plain.len().div_ceil(3) * 4);
    header.push_str("Basic ");
    STANDARD.encode_string(&plain, &mut header);
    zeroize::Zeroize::zeroize(&mut plain);
    // Invariant: "Basic " followed by the base64 alphabet is visible ASCII, always a valid
    // header value.
    let mut value = HeaderValue::from_str(&header).expect("base64 output is a valid header value");
    zeroize::Zeroize::zeroize(&mut header);
    value.set_sensitive(true);
    Ok(value)
}
