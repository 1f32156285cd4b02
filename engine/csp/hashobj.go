package csp

import (
	"crypto/hmac"
	"encoding/binary"
	"fmt"
	"hash"
)

// hashState is the mutable part of a hash object. Its owner serialises access.
type hashState struct {
	alg      uint32    // CALG_*
	inner    uint32    // CALG_HMAC: the inner hash
	h        hash.Hash // nil for CALG_HMAC until the first data, so HP_HMAC_INFO can choose
	hmacKey  []byte    // CALG_HMAC: a copy of the session key's bytes
	started  bool      // data has been hashed
	finished bool      // the value has been computed; no more data
	size     int
	sum      [64]byte // the value once finished
}

// init prepares a hash of alg (classHash or classHMAC, already checked against the provider).
func (s *hashState) init(alg uint32, a *algInfo, hmacKey []byte) {
	s.alg = alg
	if a.class == classHMAC {
		s.inner = hmacDefault
		s.hmacKey = hmacKey
		s.size = 32
		return
	}
	if a.newHash != nil {
		s.h = a.newHash()
	}
	s.size = a.size
}

// writable reports whether data may be added: NTE_BAD_HASH_STATE once the value is read or
// set, NTE_BAD_ALGID for CALG_SSL3_SHAMD5, which takes only its value.
func (s *hashState) writable() error {
	if s.finished {
		return fmt.Errorf("csp: hash value already read: %w", NTE_BAD_HASH_STATE)
	}
	if s.alg == CALG_SSL3_SHAMD5 {
		return fmt.Errorf("csp: CALG_SSL3_SHAMD5 hashes no data; set its value with HP_HASHVAL: %w", NTE_BAD_ALGID)
	}
	return nil
}

// setHMACInfo selects the inner hash of an HMAC before any data; provType limits the choice.
func (s *hashState) setHMACInfo(p personality, data []byte) error {
	if s.alg != CALG_HMAC {
		return fmt.Errorf("csp: HP_HMAC_INFO on a non-HMAC hash: %w", NTE_BAD_TYPE)
	}
	if s.started || s.finished {
		return fmt.Errorf("csp: HP_HMAC_INFO after data was hashed: %w", NTE_BAD_HASH_STATE)
	}
	if len(data) != 4 {
		return fmt.Errorf("csp: HP_HMAC_INFO takes 4 bytes (little-endian ALG_ID), got %d: %w", len(data), NTE_BAD_DATA)
	}
	inner := binary.LittleEndian.Uint32(data)
	a, ok := lookupAlg(p, inner)
	if !ok || a.class != classHash || a.newHash == nil {
		return fmt.Errorf("csp: HMAC inner hash 0x%x: %w", inner, NTE_BAD_ALGID)
	}
	s.inner = inner
	s.size = a.size
	return nil
}

func (s *hashState) start() {
	if s.h == nil { // CALG_HMAC: the inner hash is fixed from now on
		s.h = hmac.New(hashAlg(s.inner).newHash, s.hmacKey)
	}
	s.started = true
}

func (s *hashState) write(data []byte) error {
	if err := s.writable(); err != nil {
		return err
	}
	if !s.started {
		s.start()
	}
	s.h.Write(data)
	return nil
}

// setValue sets the value (HP_HASHVAL) and finishes the hash.
func (s *hashState) setValue(data []byte) error {
	if len(data) != s.size {
		return fmt.Errorf("csp: HP_HASHVAL of %d bytes, the hash has %d: %w", len(data), s.size, NTE_BAD_DATA)
	}
	copy(s.sum[:], data)
	s.started, s.finished = true, true
	s.h = nil
	return nil
}

// clone returns an independent copy of the hash in its current state (DuplicateHash).
func (s *hashState) clone() (hashState, error) {
	d := *s
	d.hmacKey = append([]byte(nil), s.hmacKey...)
	if s.h != nil {
		hc, ok := s.h.(hash.Cloner)
		if !ok {
			return hashState{}, fmt.Errorf("csp: hash state cannot be copied: %w", NTE_BAD_HASH)
		}
		h, err := hc.Clone()
		if err != nil {
			return hashState{}, fmt.Errorf("csp: hash state cannot be copied: %v: %w", err, NTE_BAD_HASH)
		}
		d.h = h
	}
	return d, nil
}

// value finishes the hash if needed and returns its value (aliasing s.sum: copy it). A
// CALG_SSL3_SHAMD5 hash whose value was never set has none: NTE_BAD_HASH_STATE.
func (s *hashState) value() ([]byte, error) {
	if !s.finished && s.alg == CALG_SSL3_SHAMD5 {
		return nil, fmt.Errorf("csp: CALG_SSL3_SHAMD5 value not set (HP_HASHVAL): %w", NTE_BAD_HASH_STATE)
	}
	if !s.finished {
		if !s.started {
			s.start()
		}
		s.h.Sum(s.sum[:0])
		s.finished = true
		s.h = nil // no longer needed; lets the state go
	}
	return s.sum[:s.size], nil
}
