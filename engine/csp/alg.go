package csp

import (
	"crypto"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
)

type algClass uint8

const (
	classHash algClass = iota + 1
	classHMAC
	classAES
	classRSA
)

// algInfo describes one algorithm the provider offers.
type algInfo struct {
	class   algClass
	aesOnly bool             // offered only under PROV_RSA_AES (AES and SHA-2, as on Windows)
	newHash func() hash.Hash // classHash
	crypto  crypto.Hash      // classHash: the digest's identity in PKCS#1 v1.5 signatures
	size    int              // classHash: digest bytes; classAES: key bytes
}

// lookupAlg returns the algorithm alg as offered under provType. The key specs AT_KEYEXCHANGE
// and AT_SIGNATURE are not algorithms; GenKey maps them first.
func lookupAlg(provType, alg uint32) (algInfo, bool) {
	var a algInfo
	switch alg {
	case CALG_MD5:
		a = algInfo{class: classHash, newHash: md5.New, crypto: crypto.MD5, size: md5.Size}
	case CALG_SHA1:
		a = algInfo{class: classHash, newHash: sha1.New, crypto: crypto.SHA1, size: sha1.Size}
	case CALG_SHA_256:
		a = algInfo{class: classHash, aesOnly: true, newHash: sha256.New, crypto: crypto.SHA256, size: sha256.Size}
	case CALG_SHA_384:
		a = algInfo{class: classHash, aesOnly: true, newHash: sha512.New384, crypto: crypto.SHA384, size: sha512.Size384}
	case CALG_SHA_512:
		a = algInfo{class: classHash, aesOnly: true, newHash: sha512.New, crypto: crypto.SHA512, size: sha512.Size}
	case CALG_HMAC:
		a = algInfo{class: classHMAC}
	case CALG_AES_128:
		a = algInfo{class: classAES, aesOnly: true, size: 16}
	case CALG_AES_192:
		a = algInfo{class: classAES, aesOnly: true, size: 24}
	case CALG_AES_256:
		a = algInfo{class: classAES, aesOnly: true, size: 32}
	case CALG_RSA_KEYX, CALG_RSA_SIGN:
		a = algInfo{class: classRSA}
	default:
		return algInfo{}, false
	}
	if a.aesOnly && provType != PROV_RSA_AES {
		return algInfo{}, false
	}
	return a, true
}

// hmacDefault is the inner hash of a CALG_HMAC object that was given no HP_HMAC_INFO.
const hmacDefault = CALG_SHA_256

// rsaBits is the size of every key pair the provider generates.
const rsaBits = 2048
