package winetest

import "github.com/hprov/hprov/engine/csp"

// Wine's algorithm identifiers csp does not name: it offers neither.
const (
	calgMD2 uint32 = 0x8001
	calgRC5 uint32 = 0x660d
)

// derivationRow is a row of rsaenh.c test_key_derivation: the hash of the 512 bytes
// (j + row) & 0xff, j = 0..511, then a key of crypt derived from it with flags 0, its KP_MODE,
// and the encryption of the first 4 of those bytes in one final call. bad lists the provider
// types that refuse crypt with NTE_BAD_ALGID (Wine's errorkey, made exact: AES keys exist in
// PROV_RSA_AES only).
type derivationRow struct {
	wineSkips  bool // a row Wine's table has but never runs (old_broken); see wineSkippedRows
	row        int
	crypt      uint32
	hash       uint32
	blocklen   int
	mode       uint32
	bad        []uint32
	value, enc string
}

var (
	badAlways  = []uint32{csp.PROV_RSA_FULL, csp.PROV_RSA_AES}
	badRSAFull = []uint32{csp.PROV_RSA_FULL}
)

// derivationRows are Wine's rows 0-47, with Windows' hash values and ciphertexts, except rows
// 3, 4, 15, 16, 27, 28, 39 and 40 (RC2 and RC4 keys), which Wine never runs (old_broken: they
// fail on some Windows versions); see wineSkippedRows. Rows 0-11 hash with MD2, which csp lacks
// (see derivationCase).
var derivationRows = []derivationRow{
	{false, 0, csp.CALG_DES, calgMD2, 8, csp.CRYPT_MODE_CBC, nil, "babf93aebc7745aa7e4569e590e6047f", "5dda25a6b5c443fb"},
	{false, 1, csp.CALG_3DES_112, calgMD2, 8, csp.CRYPT_MODE_CBC, nil, "da4a9f5d2e7a3a4bbfde475b068448a7", "6b183ba18927bfd4"},
	{false, 2, csp.CALG_3DES, calgMD2, 8, csp.CRYPT_MODE_CBC, nil, "38e52e95a4a37388f81f87b774b1a156", "91ab17e5da27117d"},
	{false, 5, calgRC5, calgMD2, 0, 0, badAlways, "8af2a3daa59a8b424ce02e00e51e98e4", ""},
	{false, 6, csp.CALG_RSA_SIGN, calgMD2, 0, 0, badAlways, "aefed6a53e4bacfa0e92c4c006c92bfd", ""},
	{false, 7, csp.CALG_RSA_KEYX, calgMD2, 0, 0, badAlways, "30f4bc3393f35819d12b734a92c7fcd7", ""},
	{false, 8, csp.CALG_AES, calgMD2, 0, 0, badAlways, "073b12e9969385d7ecf4b1ac892dc69a", ""},
	{false, 9, csp.CALG_AES_128, calgMD2, 16, csp.CRYPT_MODE_CBC, badRSAFull, "d237e249eb9923da3e88557e045e155d", "a1643ffe997f24130ca903ef9bc81f2a"},
	{false, 10, csp.CALG_AES_192, calgMD2, 16, csp.CRYPT_MODE_CBC, badRSAFull, "3e74edbf23ab0309bbd3e3abca12727f", "5decf872b2a64d5cea389ef086b67934"},
	{false, 11, csp.CALG_AES_256, calgMD2, 16, csp.CRYPT_MODE_CBC, badRSAFull, "be9ae8f6ce79865c1b01964e5a8d0933", "d94bc2e3ca898b940d87bba2e83d5c62"},

	{false, 12, csp.CALG_DES, csp.CALG_MD4, 8, csp.CRYPT_MODE_CBC, nil, "e82f96c46cc191b4784056d8a025f571", "215abd26b43e8604"},
	{false, 13, csp.CALG_3DES_112, csp.CALG_MD4, 8, csp.CRYPT_MODE_CBC, nil, "23bb6fe4b0f635b6892fecdc06a9df35", "9be5d1eb8f130bb3"},
	{false, 14, csp.CALG_3DES, csp.CALG_MD4, 8, csp.CRYPT_MODE_CBC, nil, "e47248c66e382f00c92d0112b78b6409", "7d5eaaea10a4a444"},
	{false, 17, calgRC5, csp.CALG_MD4, 0, 0, badAlways, "51a8298de036c1d35e6a514fe165eef1", ""},
	{false, 18, csp.CALG_RSA_SIGN, csp.CALG_MD4, 0, 0, badAlways, "a683134cb1aa0616e64e7f0b8d19f545", ""},
	{false, 19, csp.CALG_RSA_KEYX, csp.CALG_MD4, 0, 0, badAlways, "0424c8649884e33a7b9c503ee7c48982", ""},
	{false, 20, csp.CALG_AES, csp.CALG_MD4, 0, 0, badAlways, "f6ef81f8f2a3f611fea47dc1d2f77cdc", ""},
	{false, 21, csp.CALG_AES_128, csp.CALG_MD4, 16, csp.CRYPT_MODE_CBC, badRSAFull, "ffe969ffc1db08d45bc8517138ef8a5b", "8a24d07a03e7a702f2174c01d50e7f12"},
	{false, 22, csp.CALG_AES_192, csp.CALG_MD4, 16, csp.CRYPT_MODE_CBC, badRSAFull, "1201dd25ba8f1bcb7bad3fdfb2684f6a", "a956bca7974e28aa4be1a06ce2432c61"},
	{false, 23, csp.CALG_AES_256, csp.CALG_MD4, 16, csp.CRYPT_MODE_CBC, badRSAFull, "69089f76d79a936fc751a400cf5abb3d", "0407ead9890ad2651213689ad08615ed"},

	{false, 24, csp.CALG_DES, csp.CALG_MD5, 8, csp.CRYPT_MODE_CBC, nil, "ea0147a07f96446b0d952c974b281c86", "f375cc7c6c0bcf93"},
	{false, 25, csp.CALG_3DES_112, csp.CALG_MD5, 8, csp.CRYPT_MODE_CBC, nil, "d2a2d7873229f9e0450dec8db5bc8ad9", "5170e0b7000d3e21"},
	{false, 26, csp.CALG_3DES, csp.CALG_MD5, 8, csp.CRYPT_MODE_CBC, nil, "2b36a28585c0ecbe04561d978e82dbd8", "582375253f8825eb"},
	{false, 29, calgRC5, csp.CALG_MD5, 0, 0, badAlways, "5649dcba32c60d84e92d428cd67c4a7a", ""},
	{false, 30, csp.CALG_RSA_SIGN, csp.CALG_MD5, 0, 0, badAlways, "dfd63ae63e8db4179f29f0fd6d9898ad", ""},
	{false, 31, csp.CALG_RSA_KEYX, csp.CALG_MD5, 0, 0, badAlways, "d44d609a392788b7d7b4342f92613ca8", ""},
	{false, 32, csp.CALG_AES, csp.CALG_MD5, 0, 0, badAlways, "f4832e02deae461fe13165030858e07d", ""},
	{false, 33, csp.CALG_AES_128, csp.CALG_MD5, 16, csp.CRYPT_MODE_CBC, badRSAFull, "0ea0407255e54ceb79cb48c3d1b1d0f4", "976692026dec33f84e821120c7e2e6e8"},
	{false, 34, csp.CALG_AES_192, csp.CALG_MD5, 16, csp.CRYPT_MODE_CBC, badRSAFull, "3f915e0919111427ca6a20243ef0023e", "9bda73f4f3069307c932f1d8d496d17d"},
	{false, 35, csp.CALG_AES_256, csp.CALG_MD5, 16, csp.CRYPT_MODE_CBC, badRSAFull, "2751d8b3c71466e199c35c9c90f5e594", "2a0fe9a96f537c9e07e6c3c915997ca8"},

	{false, 36, csp.CALG_DES, csp.CALG_SHA1, 8, csp.CRYPT_MODE_CBC, nil, "c191f65a8187ac6d487c78f7ec37e20cecf7c0b8", "d4d8aa44ac5e0b8d"},
	{false, 37, csp.CALG_3DES_112, csp.CALG_SHA1, 8, csp.CRYPT_MODE_CBC, nil, "5d9bc399c4739078cb516b618abe1af37a90f334", "d81cbc6c92d309bf"},
	{false, 38, csp.CALG_3DES, csp.CALG_SHA1, 8, csp.CRYPT_MODE_CBC, nil, "90b80189ec9a6cad1eacb3170a44a24d80a52597", "bd585a8898f8699a"},
	{false, 41, calgRC5, csp.CALG_SHA1, 0, 0, badAlways, "5f29a5a41008561592f9553b4bf5abbde74d4728", ""},
	{false, 42, csp.CALG_RSA_SIGN, csp.CALG_SHA1, 0, 0, badAlways, "d3b7f8b9be67d1fe1051233b7db761f5a71a025e", ""},
	{false, 43, csp.CALG_RSA_KEYX, csp.CALG_SHA1, 0, 0, badAlways, "09689723112b6a71ba336043eec99bb78f8a2e33", ""},
	{false, 44, csp.CALG_AES, csp.CALG_SHA1, 0, 0, badAlways, "cf282383628743f65057ed54ec935eec0ed3239a", ""},
	{false, 45, csp.CALG_AES_128, csp.CALG_SHA1, 16, csp.CRYPT_MODE_CBC, badRSAFull, "81c17e42c3071f5ef875a35afc0b61ba0bd8530d", "39cbafd78b754a3bd20e0db164578858"},
	{false, 46, csp.CALG_AES_192, csp.CALG_SHA1, 16, csp.CRYPT_MODE_CBC, badRSAFull, "93a7e89e96b59723d058448c4dbbabb63e1f2c1d", "a91383ca21a2f0be13bc55043808a9c4"},
	{false, 47, csp.CALG_AES_256, csp.CALG_SHA1, 16, csp.CRYPT_MODE_CBC, badRSAFull, "156ab2df325714690907ad2483a17447417269bc", "e16ca8540e24676dcaa2fe84f09b7866"},
}

// wineSkippedRows are the rows of Wine's table that Wine skips (old_broken), checked here as
// well because csp matches them: the RC4 rows (4, 16, 28, 40), and the SHA-256 rows (48-59,
// without 51's RC2), which only the AES provider can run (PROV_RSA_FULL has no SHA-256). They
// are Windows' values, but Wine does not assert them, so the README's counts leave them out.
var wineSkippedRows = []derivationRow{
	{true, 4, csp.CALG_RC4, calgMD2, 4, 0, nil, "ff32f16962deeb538cffa69258a822ea", "a98373a9"},
	{true, 16, csp.CALG_RC4, csp.CALG_MD4, 4, 0, nil, "9b746d2211160550a3756bb2388c2bc6", "5c7e9984"},
	{true, 28, csp.CALG_RC4, csp.CALG_MD5, 4, 0, nil, "006defb1c8c6255e454f4e3daf9c53d2", "c44cd2f1"},
	{true, 40, csp.CALG_RC4, csp.CALG_SHA1, 4, 0, nil, "6736e9575ecd565e8b25352374ba2046d021de0a", "7a343d3c"},
	{true, 48, csp.CALG_DES, csp.CALG_SHA_256, 8, csp.CRYPT_MODE_CBC, nil, "2034f7bb7a3a79f0b9651811aafd266b605c6d4c817c3fc4ce94e367dff216d8", "860d8cf4c0224add"},
	{true, 49, csp.CALG_3DES_112, csp.CALG_SHA_256, 8, csp.CRYPT_MODE_CBC, nil, "096e7fd5f2724e187009c135f4d13ae8e61f91ae2ffda88cce470f7af5effdbe", "2de763f6584d9aa6"},
	{true, 50, csp.CALG_3DES, csp.CALG_SHA_256, 8, csp.CRYPT_MODE_CBC, nil, "547f847ffe83c650bcd992783267507ddf44557d8774d256ffd97444d5079edc", "20aa66d0ac839d99"},
	{true, 52, csp.CALG_RC4, csp.CALG_SHA_256, 4, 0, nil, "cd5395a6b66e259278ace67efcd38daac31583b5e6aff9324c17b882dfc0459e", "fa54139c"},
	{true, 53, calgRC5, csp.CALG_SHA_256, 0, 0, badAlways, "2a3b08e1eca704f9c942749a82ad99d21051e3516c67a4f2ca992143dfa0fca1", ""},
	{true, 54, csp.CALG_RSA_SIGN, csp.CALG_SHA_256, 0, 0, badAlways, "101d36c73873c380f07a4e25528a5c3ffc41a7e520edd51d006e77f4a771816b", ""},
	{true, 55, csp.CALG_RSA_KEYX, csp.CALG_SHA_256, 0, 0, badAlways, "0a74de4f07ce73d6d9a3babb7c98e1941393b1fd26314bfc6127ef4dd0487667", ""},
	{true, 56, csp.CALG_AES, csp.CALG_SHA_256, 0, 0, badAlways, "f013bc252a2fbaf139e57db85faad019bd1cd87b395ab3858480bde04a6503dd", ""},
	{true, 57, csp.CALG_AES_128, csp.CALG_SHA_256, 16, csp.CRYPT_MODE_CBC, badRSAFull, "c8c26fe2bea7388704c739cb9f57fcde148146a4bba70f011dc26d7a435f38c3", "f875c6718bb654d3dcff0e848a3f1946"},
	{true, 58, csp.CALG_AES_192, csp.CALG_SHA_256, 16, csp.CRYPT_MODE_CBC, badRSAFull, "b73a430fea904f0fb982f61e07c4254edbe7f71d7cd0e551d81b97c8c246b9fe", "35f220c76cb28e513ec76b3e64a505df"},
	{true, 59, csp.CALG_AES_256, csp.CALG_SHA_256, 16, csp.CRYPT_MODE_CBC, badRSAFull, "bdcc0c599929a724f3dc20404ee8e548dd270edf7e506517345047789a231b40", "8ceb1fd37877f5bf7ade8d2ca516cce9"},
}
