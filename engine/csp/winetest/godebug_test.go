//go:debug rsa1024min=0

package winetest

// Several of Wine's key blobs are 512-bit RSA keys (crypt.c privKey, rsaenh.c signBlob,
// PRIVATE_EXCH_blob, PUBLIC_EXCH_blob, abPlainPublicKey), which Go's crypto/rsa refuses unless
// GODEBUG=rsa1024min=0, as csp's GenKey and ImportKey document. The directive above sets it for
// this test binary only.
