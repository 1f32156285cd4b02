package winetest

import "testing"

// TestVectorSizes checks each transcribed vector against the size of Wine's array.
func TestVectorSizes(t *testing.T) {
	for _, v := range []struct {
		name string
		b    []byte
		want int
	}{
		{"crypt.c privKey", cryptPrivKey, 308},
		{"abPlainPrivateKey", plainPrivateKey, 596},
		{"abSessionKey", sessionKeyBlob, 148},
		{"abEncryptedMessage", sessionMessage, 12},
		{"abPlainPublicKey", plainPublicKey, 84},
		{"priv_key_with_high_bit", privKeyWithHighBit, 596},
		{"signBlob", signBlob, 308},
		{"PRIVATE_EXCH_blob", privateExchBlob, 308},
		{"PUBLIC_EXCH_blob", publicExchBlob, 84},
		{"abPubKey", verifyPubKey, 148},
		{"abSignatureMD4", sigMD4, 128},
		{"abSignatureMD4NoOID", sigMD4NoOID, 128},
		{"abSignatureMD5", sigMD5, 128},
		{"abSignatureMD5NoOID", sigMD5NoOID, 128},
		{"abSignatureSHA", sigSHA, 128},
		{"abSignatureSHANoOID", sigSHANoOID, 128},
	} {
		if len(v.b) != v.want {
			t.Errorf("%s: %d bytes, Wine's array has %d", v.name, len(v.b), v.want)
		}
	}
}
