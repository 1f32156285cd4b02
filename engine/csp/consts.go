package csp

// Provider types, AcquireContext flags, algorithm identifiers, key specs and parameter numbers,
// with their Win32 values (wincrypt.h), so ported code reads the same.
const (
	PROV_RSA_FULL uint32 = 1
	PROV_RSA_AES  uint32 = 24

	CRYPT_VERIFYCONTEXT  uint32 = 0xF0000000
	CRYPT_NEWKEYSET      uint32 = 0x8
	CRYPT_DELETEKEYSET   uint32 = 0x10
	CRYPT_MACHINE_KEYSET uint32 = 0x20
	CRYPT_SILENT         uint32 = 0x40

	CALG_MD5      uint32 = 0x8003
	CALG_SHA1     uint32 = 0x8004
	CALG_HMAC     uint32 = 0x8009
	CALG_SHA_256  uint32 = 0x800c
	CALG_SHA_384  uint32 = 0x800d
	CALG_SHA_512  uint32 = 0x800e
	CALG_AES_128  uint32 = 0x660e
	CALG_AES_192  uint32 = 0x660f
	CALG_AES_256  uint32 = 0x6610
	CALG_RSA_KEYX uint32 = 0xa400
	CALG_RSA_SIGN uint32 = 0x2400

	AT_KEYEXCHANGE uint32 = 1
	AT_SIGNATURE   uint32 = 2

	// GetHashParam and SetHashParam parameters.
	HP_ALGID     uint32 = 0x1
	HP_HASHVAL   uint32 = 0x2
	HP_HASHSIZE  uint32 = 0x4
	HP_HMAC_INFO uint32 = 0x5

	// GetKeyParam and SetKeyParam parameters.
	KP_IV     uint32 = 1
	KP_ALGID  uint32 = 7
	KP_KEYLEN uint32 = 9

	// GenKey and DeriveKey flags. The upper 16 bits of those flags may also carry the key
	// length in bits, as in CryptoAPI; it must then match the algorithm's.
	CRYPT_EXPORTABLE uint32 = 0x1
)

// MS_ENH_RSA_AES_PROV is the only provider name AcquireContext accepts besides "".
const MS_ENH_RSA_AES_PROV = "Microsoft Enhanced RSA and AES Cryptographic Provider"
