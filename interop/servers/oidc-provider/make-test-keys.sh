#!/usr/bin/env bash
# Makes the TEST-ONLY keys and certificates of the interop suite's client authentication
# scenarios (`interop/src/client_auth/`), committed under `jwt/` and `tls/` next to this script.
# They protect nothing: every private key here is public, in this repository. Run once by hand
# (OpenSSL 3); neither CI nor `cargo xtask interop` runs it. Rerunning replaces every file, and
# the scenarios and the server read whatever is there (they hold no copies or thumbprints).
#
#   jwt/es256.key.pem, jwt/es256.pub.pem         P-256, `private_key_jwt` ES256 (kid es256-key)
#   jwt/ed25519.key.pem, jwt/ed25519.pub.pem     Ed25519, `private_key_jwt` EdDSA (kid ed25519-key)
#   jwt/rs256.key.pem, jwt/rs256.pub.pem         RSA 2048, `private_key_jwt` RS256 (kid rs256-key)
#   jwt/unknown-es256.key.pem                    P-256 the server does not know (the refusal)
#   tls/ca.pem                                   the test CA (its key is not kept)
#   tls/server.pem, tls/server.key.pem           127.0.0.1 and localhost, signed by the CA
#   tls/client.pem, tls/client.key.pem           CN=interop-tls-client,O=oauth-interop test,
#                                                signed by the CA (`tls_client_auth`)
#   tls/self-signed.pem, tls/self-signed.key.pem self-signed (`self_signed_tls_client_auth`)
#
# Private keys are PKCS#8 PEM (`BEGIN PRIVATE KEY`); certificates last 100 years.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p jwt tls
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
days=36500

p256() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

# JWT client assertion keys.
p256 jwt/es256.key.pem
openssl pkey -in jwt/es256.key.pem -pubout -out jwt/es256.pub.pem
openssl genpkey -algorithm ed25519 -out jwt/ed25519.key.pem
openssl pkey -in jwt/ed25519.key.pem -pubout -out jwt/ed25519.pub.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out jwt/rs256.key.pem
openssl pkey -in jwt/rs256.key.pem -pubout -out jwt/rs256.pub.pem
p256 jwt/unknown-es256.key.pem

# The test CA.
p256 "$work/ca.key.pem"
openssl req -x509 -new -key "$work/ca.key.pem" -sha256 -days "$days" -out tls/ca.pem \
  -subj "/O=oauth-interop test/CN=oauth-interop test CA" \
  -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign"

# A leaf signed by the CA: issue <name> <subject> <extensions>.
issue() {
  p256 "tls/$1.key.pem"
  openssl req -new -key "tls/$1.key.pem" -subj "$2" -out "$work/$1.csr"
  printf '%s\n' "$3" > "$work/$1.ext"
  openssl x509 -req -in "$work/$1.csr" -CA tls/ca.pem -CAkey "$work/ca.key.pem" \
    -CAcreateserial -CAserial "$work/ca.srl" -sha256 -days "$days" -extfile "$work/$1.ext" -out "tls/$1.pem"
}
issue server "/O=oauth-interop test/CN=127.0.0.1" "basicConstraints=critical,CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost"
issue client "/O=oauth-interop test/CN=interop-tls-client" "basicConstraints=critical,CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"

# The self-signed client certificate.
p256 tls/self-signed.key.pem
openssl req -x509 -new -key tls/self-signed.key.pem -sha256 -days "$days" -out tls/self-signed.pem \
  -subj "/O=oauth-interop test/CN=interop-self-signed-client" \
  -addext "basicConstraints=critical,CA:false" -addext "keyUsage=critical,digitalSignature" \
  -addext "extendedKeyUsage=clientAuth"
