package csp

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
)

// This file is the provider's algorithm table. Each provider name has a personality, as in
// Windows (and Wine's rsaenh): which algorithms it offers and their default, minimum and
// maximum key lengths. The lengths are Windows' (PP_ENUMALGS_EX on the Microsoft providers),
// except the RSA default: the package has always generated 2048-bit pairs, the length current
// guidance asks for, where Windows' enhanced provider still defaults to 1024.

type algClass uint8

const (
	classHash algClass = iota + 1
	classHMAC
	classBlock  // DES, 3DES, AES
	classStream // RC4
	classRSA
)

// personality is a provider's behaviour: Base, Strong, Enhanced, or Enhanced RSA and AES.
type personality uint8

const (
	persBase personality = iota
	persStrong
	persEnhanced
	persAES
	numPers
)

// provider describes one provider name.
type provider struct {
	name     string
	provType uint32
	pers     personality
}

// providers, in the order of personality.
var providers = [numPers]provider{
	{MS_DEF_PROV, PROV_RSA_FULL, persBase},
	{MS_STRONG_PROV, PROV_RSA_FULL, persStrong},
	{MS_ENHANCED_PROV, PROV_RSA_FULL, persEnhanced},
	{MS_ENH_RSA_AES_PROV, PROV_RSA_AES, persAES},
}

// algInfo describes one algorithm as a personality offers it.
type algInfo struct {
	id       uint32
	class    algClass
	newHash  func() hash.Hash // classHash; nil for CALG_SSL3_SHAMD5, which hashes no data
	size     int              // classHash: digest bytes
	blockLen int              // classBlock: block bytes
	listOnly bool             // listed by PP_ENUMALGS but no key algorithm (CALG_AES, as on Windows)

	// Key or digest lengths in bits, as PP_ENUMALGS_EX reports them. Fixed-length ciphers
	// (DES, 3DES) report their effective lengths (56, 112, 168) and store 64, 128, 192.
	defLen, minLen, maxLen uint32
	protocols              uint32
	name, longName         string
}

// The algorithms, in the order PP_ENUMALGS lists them (Windows' order).
var (
	algRC4Base  = algInfo{id: CALG_RC4, class: classStream, defLen: 40, minLen: 40, maxLen: 56, name: "RC4", longName: "RSA Data Security's RC4"}
	algRC4      = algInfo{id: CALG_RC4, class: classStream, defLen: 128, minLen: 40, maxLen: 128, name: "RC4", longName: "RSA Data Security's RC4"}
	algDES      = algInfo{id: CALG_DES, class: classBlock, blockLen: 8, defLen: 56, minLen: 56, maxLen: 56, name: "DES", longName: "Data Encryption Standard (DES)"}
	alg3DES112  = algInfo{id: CALG_3DES_112, class: classBlock, blockLen: 8, defLen: 112, minLen: 112, maxLen: 112, name: "3DES TWO KEY", longName: "Two Key Triple DES"}
	alg3DES     = algInfo{id: CALG_3DES, class: classBlock, blockLen: 8, defLen: 168, minLen: 168, maxLen: 168, name: "3DES", longName: "Three Key Triple DES"}
	algAES      = algInfo{id: CALG_AES, class: classBlock, listOnly: true, blockLen: 16, defLen: 128, minLen: 128, maxLen: 128, name: "AES", longName: "Advanced Encryption Standard (AES)"}
	algAES128   = algInfo{id: CALG_AES_128, class: classBlock, blockLen: 16, defLen: 128, minLen: 128, maxLen: 128, name: "AES-128", longName: "Advanced Encryption Standard (AES-128)"}
	algAES192   = algInfo{id: CALG_AES_192, class: classBlock, blockLen: 16, defLen: 192, minLen: 192, maxLen: 192, name: "AES-192", longName: "Advanced Encryption Standard (AES-192)"}
	algAES256   = algInfo{id: CALG_AES_256, class: classBlock, blockLen: 16, defLen: 256, minLen: 256, maxLen: 256, name: "AES-256", longName: "Advanced Encryption Standard (AES-256)"}
	algSHA1     = algInfo{id: CALG_SHA1, class: classHash, newHash: sha1.New, size: sha1.Size, defLen: 160, minLen: 160, maxLen: 160, protocols: flagSigning, name: "SHA-1", longName: "Secure Hash Algorithm (SHA-1)"}
	algSHA256   = algInfo{id: CALG_SHA_256, class: classHash, newHash: sha256.New, size: sha256.Size, defLen: 256, minLen: 256, maxLen: 256, protocols: flagSigning, name: "SHA-256", longName: "Secure Hash Algorithm (SHA-256)"}
	algSHA384   = algInfo{id: CALG_SHA_384, class: classHash, newHash: sha512.New384, size: sha512.Size384, defLen: 384, minLen: 384, maxLen: 384, protocols: flagSigning, name: "SHA-384", longName: "Secure Hash Algorithm (SHA-384)"}
	algSHA512   = algInfo{id: CALG_SHA_512, class: classHash, newHash: sha512.New, size: sha512.Size, defLen: 512, minLen: 512, maxLen: 512, protocols: flagSigning, name: "SHA-512", longName: "Secure Hash Algorithm (SHA-512)"}
	algMD4      = algInfo{id: CALG_MD4, class: classHash, newHash: newMD4, size: 16, defLen: 128, minLen: 128, maxLen: 128, protocols: flagSigning, name: "MD4", longName: "Message Digest 4 (MD4)"}
	algMD5      = algInfo{id: CALG_MD5, class: classHash, newHash: md5.New, size: md5.Size, defLen: 128, minLen: 128, maxLen: 128, protocols: flagSigning, name: "MD5", longName: "Message Digest 5 (MD5)"}
	algSignBase = algInfo{id: CALG_RSA_SIGN, class: classRSA, defLen: rsaBits, minLen: 384, maxLen: 16384, protocols: flagSigning | flagIPSec, name: "RSA_SIGN", longName: "RSA Signature"}
	algKeyxBase = algInfo{id: CALG_RSA_KEYX, class: classRSA, defLen: 1024, minLen: 384, maxLen: 1024, protocols: flagSigning | flagIPSec, name: "RSA_KEYX", longName: "RSA Key Exchange"}
	algSign     = algInfo{id: CALG_RSA_SIGN, class: classRSA, defLen: rsaBits, minLen: 384, maxLen: 16384, protocols: flagSigning | flagIPSec, name: "RSA_SIGN", longName: "RSA Signature"}
	algKeyx     = algInfo{id: CALG_RSA_KEYX, class: classRSA, defLen: rsaBits, minLen: 384, maxLen: 16384, protocols: flagSigning | flagIPSec, name: "RSA_KEYX", longName: "RSA Key Exchange"}
	algSSL3     = algInfo{id: CALG_SSL3_SHAMD5, class: classHash, size: 36, defLen: 288, minLen: 288, maxLen: 288, name: "SSL3 SHAMD5", longName: "SSL3 SHAMD5"}
	algHMAC     = algInfo{id: CALG_HMAC, class: classHMAC, name: "HMAC", longName: "Hugo's MAC (HMAC)"}
)

// PROV_ENUMALGS_EX protocol flags.
const (
	flagSigning = 0x20
	flagIPSec   = 0x10
)

// algTables lists each personality's algorithms. RC2, MD2 and CALG_MAC are left out: Go's
// standard library and golang.org/x/crypto do not provide them.
var algTables = [numPers][]*algInfo{
	persBase:     {&algRC4Base, &algDES, &algSHA1, &algMD4, &algMD5, &algSSL3, &algSignBase, &algKeyxBase, &algHMAC},
	persStrong:   {&algRC4, &algDES, &alg3DES112, &alg3DES, &algSHA1, &algMD4, &algMD5, &algSSL3, &algSign, &algKeyx, &algHMAC},
	persEnhanced: {&algRC4, &algDES, &alg3DES112, &alg3DES, &algSHA1, &algMD4, &algMD5, &algSSL3, &algSign, &algKeyx, &algHMAC},
	persAES: {&algRC4, &algDES, &alg3DES112, &alg3DES, &algAES, &algAES128, &algAES192, &algAES256,
		&algSHA1, &algSHA256, &algSHA384, &algSHA512, &algMD4, &algMD5, &algSSL3, &algSign, &algKeyx, &algHMAC},
}

// lookupAlg returns the algorithm alg as personality p offers it. The key specs
// AT_KEYEXCHANGE and AT_SIGNATURE are not algorithms; GenKey maps them first.
func lookupAlg(p personality, alg uint32) (*algInfo, bool) {
	if p >= numPers {
		return nil, false
	}
	for _, a := range algTables[p] {
		if a.id == alg {
			return a, true
		}
	}
	return nil, false
}

// keyAlg returns the session key algorithm alg as personality p offers it.
func keyAlg(p personality, alg uint32) (*algInfo, bool) {
	a, ok := lookupAlg(p, alg)
	if !ok || a.listOnly || (a.class != classBlock && a.class != classStream) {
		return nil, false
	}
	return a, true
}

// hashAlg returns a hash algorithm by id, whatever the personality: for objects that already
// passed the check of theirs.
func hashAlg(alg uint32) *algInfo {
	a, _ := lookupAlg(persAES, alg)
	return a
}

// isSHA2 reports whether alg is a member of the SHA-2 family (CryptDeriveKey treats them apart).
func isSHA2(alg uint32) bool {
	return alg == CALG_SHA_256 || alg == CALG_SHA_384 || alg == CALG_SHA_512
}

// hmacDefault is the inner hash of a CALG_HMAC object that was given no HP_HMAC_INFO.
const hmacDefault = CALG_SHA_256

// rsaBits is the default size of the key pairs the provider generates.
const rsaBits = 2048
