package csp

// Provider types, AcquireContext flags, algorithm identifiers, key specs and parameter numbers,
// with their Win32 values (wincrypt.h), so ported code reads the same.
const (
	PROV_RSA_FULL     uint32 = 1
	PROV_RSA_SIG      uint32 = 2
	PROV_DSS          uint32 = 3
	PROV_FORTEZZA     uint32 = 4
	PROV_MS_EXCHANGE  uint32 = 5
	PROV_SSL          uint32 = 6
	PROV_RSA_SCHANNEL uint32 = 12
	PROV_DSS_DH       uint32 = 13
	PROV_DH_SCHANNEL  uint32 = 18
	PROV_RSA_AES      uint32 = 24

	// MAXPROVTYPES bounds the provider types Windows can define: 0 and larger numbers are
	// NTE_BAD_PROV_TYPE, defined-looking ones this package does not offer
	// NTE_PROV_TYPE_NOT_DEF.
	MAXPROVTYPES uint32 = 999

	CRYPT_VERIFYCONTEXT  uint32 = 0xF0000000
	CRYPT_NEWKEYSET      uint32 = 0x8
	CRYPT_DELETEKEYSET   uint32 = 0x10
	CRYPT_MACHINE_KEYSET uint32 = 0x20
	CRYPT_SILENT         uint32 = 0x40

	CALG_MD4  uint32 = 0x8002
	CALG_MD5  uint32 = 0x8003
	CALG_SHA1 uint32 = 0x8004
	CALG_SHA  uint32 = CALG_SHA1
	CALG_HMAC uint32 = 0x8009
	// CALG_SSL3_SHAMD5 is the MD5 || SHA-1 value TLS 1.0 signs: a hash object that takes no
	// data, only its 36-byte value through SetHashParam(HP_HASHVAL), and that SignHash signs
	// without a DigestInfo.
	CALG_SSL3_SHAMD5 uint32 = 0x8008
	CALG_SHA_256     uint32 = 0x800c
	CALG_SHA_384     uint32 = 0x800d
	CALG_SHA_512     uint32 = 0x800e
	CALG_RC2         uint32 = 0x6602 // recognised in blobs only: RC2 is not offered (see ImportKey)
	CALG_RC4         uint32 = 0x6801
	CALG_DES         uint32 = 0x6601
	CALG_3DES_112    uint32 = 0x6609
	CALG_3DES        uint32 = 0x6603
	CALG_AES         uint32 = 0x6611
	CALG_AES_128     uint32 = 0x660e
	CALG_AES_192     uint32 = 0x660f
	CALG_AES_256     uint32 = 0x6610
	CALG_RSA_KEYX    uint32 = 0xa400
	CALG_RSA_SIGN    uint32 = 0x2400

	AT_KEYEXCHANGE uint32 = 1
	AT_SIGNATURE   uint32 = 2

	// GetHashParam and SetHashParam parameters.
	HP_ALGID     uint32 = 0x1
	HP_HASHVAL   uint32 = 0x2
	HP_HASHSIZE  uint32 = 0x4
	HP_HMAC_INFO uint32 = 0x5

	// GetKeyParam and SetKeyParam parameters.
	KP_IV               uint32 = 1
	KP_SALT             uint32 = 2
	KP_PADDING          uint32 = 3
	KP_MODE             uint32 = 4
	KP_MODE_BITS        uint32 = 5
	KP_PERMISSIONS      uint32 = 6
	KP_ALGID            uint32 = 7
	KP_BLOCKLEN         uint32 = 8
	KP_KEYLEN           uint32 = 9
	KP_SALT_EX          uint32 = 10
	KP_EFFECTIVE_KEYLEN uint32 = 19

	// KP_PADDING values; the Microsoft providers (and this one) support only PKCS5_PADDING.
	PKCS5_PADDING  uint32 = 1
	RANDOM_PADDING uint32 = 2
	ZERO_PADDING   uint32 = 3

	// KP_MODE values.
	CRYPT_MODE_CBC uint32 = 1
	CRYPT_MODE_ECB uint32 = 2
	CRYPT_MODE_OFB uint32 = 3
	CRYPT_MODE_CFB uint32 = 4
	CRYPT_MODE_CTS uint32 = 5

	// KP_PERMISSIONS bits.
	CRYPT_ENCRYPT    uint32 = 0x0001
	CRYPT_DECRYPT    uint32 = 0x0002
	CRYPT_EXPORT     uint32 = 0x0004
	CRYPT_READ       uint32 = 0x0008
	CRYPT_WRITE      uint32 = 0x0010
	CRYPT_MAC        uint32 = 0x0020
	CRYPT_EXPORT_KEY uint32 = 0x0040
	CRYPT_IMPORT_KEY uint32 = 0x0080
	CRYPT_ARCHIVE    uint32 = 0x0100

	// GenKey, DeriveKey and ImportKey flags. The upper 16 bits of GenKey and DeriveKey flags
	// may also carry the key length in bits, as in CryptoAPI.
	CRYPT_EXPORTABLE     uint32 = 0x1
	CRYPT_USER_PROTECTED uint32 = 0x2
	CRYPT_CREATE_SALT    uint32 = 0x4
	CRYPT_UPDATE_KEY     uint32 = 0x8
	CRYPT_NO_SALT        uint32 = 0x10
	CRYPT_OAEP           uint32 = 0x40 // Encrypt, Decrypt, ExportKey and ImportKey: RSA OAEP padding
	CRYPT_IPSEC_HMAC_KEY uint32 = 0x100

	// HashData flag.
	CRYPT_USERDATA uint32 = 1

	// HashSessionKey flag.
	CRYPT_LITTLE_ENDIAN uint32 = 0x1

	// ExportKey blob types and the blob version.
	SIMPLEBLOB       uint32 = 0x1
	PUBLICKEYBLOB    uint32 = 0x6
	PRIVATEKEYBLOB   uint32 = 0x7
	PLAINTEXTKEYBLOB uint32 = 0x8
	CUR_BLOB_VERSION uint32 = 2

	// GetProvParam and SetProvParam parameters.
	PP_ENUMALGS         uint32 = 1
	PP_ENUMCONTAINERS   uint32 = 2
	PP_IMPTYPE          uint32 = 3
	PP_NAME             uint32 = 4
	PP_VERSION          uint32 = 5
	PP_CONTAINER        uint32 = 6
	PP_KEYSET_SEC_DESCR uint32 = 8
	PP_ENUMALGS_EX      uint32 = 22
	PP_KEYSPEC          uint32 = 39
	PP_KEYSET_TYPE      uint32 = 27
	PP_KEYSTORAGE       uint32 = 17
	PP_SIG_KEYSIZE_INC  uint32 = 34
	PP_KEYX_KEYSIZE_INC uint32 = 35
	PP_UNIQUE_CONTAINER uint32 = 36
	PP_PROVTYPE         uint32 = 16
	PP_CLIENT_HWND      uint32 = 1
	PP_USE_HARDWARE_RNG uint32 = 38

	// GetProvParam flags.
	CRYPT_FIRST uint32 = 1
	CRYPT_NEXT  uint32 = 2

	// PP_IMPTYPE value.
	CRYPT_IMPL_SOFTWARE uint32 = 2

	// PP_KEYSTORAGE value: the key storage can take security descriptors.
	CRYPT_SEC_DESCR uint32 = 1

	// SignHash and VerifySignature flag: sign the bare hash, without its DigestInfo.
	CRYPT_NOHASHOID uint32 = 1
)

// Provider names (wincrypt.h). AcquireContext accepts these and "" (the provider type's
// default: MS_STRONG_PROV for PROV_RSA_FULL, MS_ENH_RSA_AES_PROV for PROV_RSA_AES).
const (
	MS_DEF_PROV         = "Microsoft Base Cryptographic Provider v1.0"
	MS_ENHANCED_PROV    = "Microsoft Enhanced Cryptographic Provider v1.0"
	MS_STRONG_PROV      = "Microsoft Strong Cryptographic Provider"
	MS_ENH_RSA_AES_PROV = "Microsoft Enhanced RSA and AES Cryptographic Provider"
)
