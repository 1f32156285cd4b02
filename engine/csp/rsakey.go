package csp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"errors"
	"fmt"
)

// RSA as CryptoAPI does it: PKCS#1 v1.5 encryption by default, OAEP with SHA-1 and an empty
// label under CRYPT_OAEP (what Microsoft's providers implement), and every ciphertext and
// signature little-endian, the reverse of Go's byte order.

// reversed returns b in the opposite byte order.
func reversed(b []byte) []byte {
	r := make([]byte, len(b))
	for i, v := range b {
		r[len(b)-1-i] = v
	}
	return r
}

func rsaEncrypt(pub *rsa.PublicKey, data []byte, oaep bool) ([]byte, error) {
	var c []byte
	var err error
	if oaep {
		c, err = rsa.EncryptOAEP(sha1.New(), rand.Reader, pub, data, nil)
	} else {
		//lint:ignore SA1019 CryptoAPI's RSA key exchange is PKCS#1 v1.5 encryption; interoperability needs it.
		c, err = rsa.EncryptPKCS1v15(rand.Reader, pub, data)
	}
	if errors.Is(err, rsa.ErrMessageTooLong) {
		return nil, fmt.Errorf("csp: %d bytes do not fit one RSA block: %w", len(data), NTE_BAD_LEN)
	}
	if err != nil {
		return nil, fmt.Errorf("csp: RSA encryption: %v: %w", err, NTE_BAD_KEY)
	}
	return reversed(c), nil
}

func rsaDecrypt(priv *rsa.PrivateKey, data []byte, oaep bool) ([]byte, error) {
	if len(data) != priv.Size() {
		return nil, fmt.Errorf("csp: RSA ciphertext of %d bytes, want %d: %w", len(data), priv.Size(), NTE_BAD_DATA)
	}
	var p []byte
	var err error
	if oaep {
		p, err = rsa.DecryptOAEP(sha1.New(), nil, priv, reversed(data), nil)
	} else {
		//lint:ignore SA1019 CryptoAPI's RSA key exchange is PKCS#1 v1.5 encryption; interoperability needs it.
		p, err = rsa.DecryptPKCS1v15(nil, priv, reversed(data))
	}
	if err != nil && priv.N.BitLen() < 1024 {
		// Go refuses keys below 1024 bits unless GODEBUG=rsa1024min=0, with no error value to
		// test for: if the public operation fails too, the key is the problem, not the data.
		//lint:ignore SA1019 the same operation as the key exchange it diagnoses.
		if _, perr := rsa.EncryptPKCS1v15(rand.Reader, &priv.PublicKey, []byte{0}); perr != nil {
			return nil, fmt.Errorf("csp: RSA decryption: %v: %w", perr, NTE_BAD_KEY)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("csp: RSA decryption: %w", NTE_BAD_DATA)
	}
	return p, nil
}

// rsaKeyState wraps a key pair (or a public key alone) of alg CALG_RSA_KEYX or CALG_RSA_SIGN.
func rsaKeyState(alg uint32, pub *rsa.PublicKey, priv *rsa.PrivateKey, perms uint32) *keyState {
	return &keyState{alg: alg, perms: perms, pub: pub, priv: priv}
}

// rsaKeyBits checks GenKey's requested RSA length (0: the default) against the algorithm.
func rsaKeyBits(a *algInfo, bits uint32) (int, error) {
	if bits == 0 {
		bits = a.defLen
	}
	if bits%8 != 0 || bits < a.minLen || bits > a.maxLen {
		return 0, fmt.Errorf("csp: an RSA key of %d bits (%d to %d in steps of 8): %w", bits, a.minLen, a.maxLen, NTE_BAD_FLAGS)
	}
	return int(bits), nil
}
