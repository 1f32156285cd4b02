package csp

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// File format of one container (all integers big-endian):
//
//	magic    [4]byte "HPKC"
//	version  uint16  (1)
//	flags    uint16  bit 0: the AT_KEYEXCHANGE pair is exportable, bit 1: the AT_SIGNATURE
//	                 pair is (files written before the flags existed have 0 here)
//	length   uint32  length of the payload
//	payload:
//	    id      uint64
//	    nameLen uint16, name [nameLen]byte
//	    kxLen   uint32, kx  [kxLen]byte   PKCS#1 DER of the AT_KEYEXCHANGE pair, or empty
//	    sigLen  uint32, sig [sigLen]byte  PKCS#1 DER of the AT_SIGNATURE pair, or empty
//	checksum [32]byte SHA-256 of everything before it
//
// The name is stored so that a file can be checked against the name that led to it.
const (
	fileMagic   = "HPKC"
	fileVersion = 1
	headerLen   = 4 + 2 + 2 + 4
	fileSuffix  = ".key"
	tmpPrefix   = ".hprov-tmp-"

	flagKXExportable  = 1
	flagSigExportable = 2
)

// DirStore returns a Store that keeps each container in its own file in the directory path
// (created with mode 0700 if missing), so containers survive a restart of the process.
//
// A file is never modified in place: each change writes a temporary file in the same
// directory, syncs it, renames it over the old one and syncs the directory, so a crash leaves
// either the old or the new content. A file name is the hex SHA-256 of the container name:
// no container name, whatever its bytes or case, can reach outside the directory or collide
// with another on a case-insensitive file system. Each file carries a version and a checksum;
// a truncated or corrupt file makes its container fail with NTE_BAD_KEYSET (wrapping the
// reason) and affects no other container. Leftover temporary files of an interrupted write
// are removed when the store is opened.
//
// One process at a time should use a directory: writers in the same process are serialised,
// but two processes updating the same container can lose one of the updates.
func DirStore(path string) (Store, error) {
	if path == "" {
		return nil, fmt.Errorf("csp: DirStore: empty path: %w", ERROR_INVALID_PARAMETER)
	}
	_, statErr := os.Stat(path)
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, fmt.Errorf("csp: DirStore: %v: %w", err, ERROR_INVALID_PARAMETER)
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		// A new directory's own entry must survive a crash too.
		_ = syncDir(filepath.Dir(filepath.Clean(path)))
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("csp: DirStore: %v: %w", err, ERROR_INVALID_PARAMETER)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("csp: DirStore: %s is not a directory: %w", path, ERROR_INVALID_PARAMETER)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("csp: DirStore: %v: %w", err, ERROR_INVALID_PARAMETER)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			_ = os.Remove(filepath.Join(path, e.Name())) // best effort: an orphan of a crash
		}
	}
	return &dirStore{dir: path}, nil
}

type dirStore struct {
	dir string
	mu  sync.Mutex // serialises writers; readers need no lock since files are replaced atomically
}

func (s *dirStore) path(name string) string {
	sum := sha256.Sum256([]byte(name))
	return filepath.Join(s.dir, hex.EncodeToString(sum[:])+fileSuffix)
}

func (s *dirStore) Create(name string, id uint64) error {
	data, err := encodeContainer(name, Container{ID: id})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	final := s.path(name)
	err = s.write(final, data, true)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("csp: container %q already exists: %w", name, NTE_EXISTS)
	}
	if err != nil {
		return fmt.Errorf("csp: container %q: create %s: %v: %w", name, final, err, NTE_BAD_KEYSET)
	}
	return nil
}

func (s *dirStore) Load(name string) (Container, error) {
	return s.load(name)
}

func (s *dirStore) load(name string) (Container, error) {
	file := s.path(name)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return Container{}, fmt.Errorf("csp: container %q: %w", name, NTE_BAD_KEYSET)
	}
	if err != nil {
		return Container{}, fmt.Errorf("csp: container %q: %v: %w", name, err, NTE_BAD_KEYSET)
	}
	c, err := decodeContainer(name, data)
	if err != nil {
		return Container{}, fmt.Errorf("csp: container %q is unreadable (%s: %v): %w", name, file, err, NTE_BAD_KEYSET)
	}
	return c, nil
}

func (s *dirStore) SetKey(name string, id uint64, keySpec uint32, key *rsa.PrivateKey) error {
	return s.SetKeyExportable(name, id, keySpec, key, false)
}

func (s *dirStore) SetKeyExportable(name string, id uint64, keySpec uint32, key *rsa.PrivateKey, exportable bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.load(name)
	if err != nil {
		return err
	}
	if c.ID != id {
		return fmt.Errorf("csp: container %q was deleted and created again: %w", name, NTE_BAD_KEYSET)
	}
	if err := c.setExportable(keySpec, key, exportable); err != nil {
		return err
	}
	data, err := encodeContainer(name, c)
	if err != nil {
		return err
	}
	final := s.path(name)
	if err := s.write(final, data, false); err != nil {
		return fmt.Errorf("csp: container %q: write %s: %v: %w", name, final, err, NTE_BAD_KEYSET)
	}
	return nil
}

func (s *dirStore) Delete(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	file := s.path(name)
	err := os.Remove(file)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("csp: container %q: %w", name, NTE_BAD_KEYSET)
	}
	if err != nil {
		return fmt.Errorf("csp: container %q: delete: %v: %w", name, err, NTE_BAD_KEYSET)
	}
	return syncDir(s.dir)
}

// write puts data at final atomically. With exclusive, an existing file is an error wrapping
// fs.ErrExist and is left alone.
func (s *dirStore) write(final string, data []byte, exclusive bool) (err error) {
	f, err := os.CreateTemp(s.dir, tmpPrefix+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if exclusive {
		// A hard link fails if final exists, which makes creation atomic and exclusive even
		// against another process; the temporary name is removed afterwards.
		if err = os.Link(tmp, final); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return err
			}
			// No hard links on this file system: fall back to check-then-rename, which
			// the store's lock keeps exclusive within this process.
			if _, serr := os.Lstat(final); serr == nil {
				return fs.ErrExist
			}
			if err = os.Rename(tmp, final); err != nil {
				return err
			}
			return syncDir(s.dir)
		}
		_ = os.Remove(tmp)
	} else if err = os.Rename(tmp, final); err != nil {
		return err
	}
	return syncDir(s.dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func encodeContainer(name string, c Container) ([]byte, error) {
	if len(name) > 0xFFFF {
		return nil, fmt.Errorf("csp: container name of %d bytes: %w", len(name), NTE_BAD_KEYSET_PARAM)
	}
	var kx, sig []byte
	if c.KeyExchange != nil {
		kx = x509.MarshalPKCS1PrivateKey(c.KeyExchange)
	}
	if c.Signature != nil {
		sig = x509.MarshalPKCS1PrivateKey(c.Signature)
	}
	payload := 8 + 2 + len(name) + 4 + len(kx) + 4 + len(sig)
	b := make([]byte, 0, headerLen+payload+sha256.Size)
	b = append(b, fileMagic...)
	b = binary.BigEndian.AppendUint16(b, fileVersion)
	var flags uint16
	if c.KeyExchangeExportable {
		flags |= flagKXExportable
	}
	if c.SignatureExportable {
		flags |= flagSigExportable
	}
	b = binary.BigEndian.AppendUint16(b, flags)
	b = binary.BigEndian.AppendUint32(b, uint32(payload))
	b = binary.BigEndian.AppendUint64(b, c.ID)
	b = binary.BigEndian.AppendUint16(b, uint16(len(name)))
	b = append(b, name...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(kx)))
	b = append(b, kx...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(sig)))
	b = append(b, sig...)
	sum := sha256.Sum256(b)
	return append(b, sum[:]...), nil
}

// openFile checks a container file's header, length and checksum, and returns a reader of
// its payload and the header's flags.
func openFile(data []byte) (reader, uint16, error) {
	if len(data) < headerLen+sha256.Size {
		return reader{}, 0, fmt.Errorf("truncated: %d bytes", len(data))
	}
	if string(data[:4]) != fileMagic {
		return reader{}, 0, errors.New("not a container file (bad magic)")
	}
	if v := binary.BigEndian.Uint16(data[4:]); v != fileVersion {
		return reader{}, 0, fmt.Errorf("unsupported format version %d", v)
	}
	payload := binary.BigEndian.Uint32(data[8:])
	if uint64(len(data)) != uint64(headerLen)+uint64(payload)+sha256.Size {
		return reader{}, 0, fmt.Errorf("truncated or extended: %d bytes, header says %d", len(data), uint64(headerLen)+uint64(payload)+sha256.Size)
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return reader{}, 0, errors.New("checksum mismatch")
	}
	return reader{b: body[headerLen:]}, binary.BigEndian.Uint16(data[6:]), nil
}

func decodeContainer(name string, data []byte) (Container, error) {
	r, flags, err := openFile(data)
	if err != nil {
		return Container{}, err
	}
	var c Container
	c.KeyExchangeExportable = flags&flagKXExportable != 0
	c.SignatureExportable = flags&flagSigExportable != 0
	c.ID = r.u64()
	stored := string(r.bytes(int(r.u16())))
	kx := r.bytes(int(r.u32()))
	sig := r.bytes(int(r.u32()))
	if r.err != nil || len(r.b) != 0 {
		return Container{}, errors.New("malformed payload")
	}
	if stored != name {
		return Container{}, fmt.Errorf("file belongs to container %q", stored)
	}
	if len(kx) > 0 {
		if c.KeyExchange, err = x509.ParsePKCS1PrivateKey(kx); err != nil {
			return Container{}, fmt.Errorf("key exchange pair: %v", err)
		}
	}
	if len(sig) > 0 {
		if c.Signature, err = x509.ParsePKCS1PrivateKey(sig); err != nil {
			return Container{}, fmt.Errorf("signature pair: %v", err)
		}
	}
	return c, nil
}

// reader reads big-endian fields, remembering the first overrun instead of panicking.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		r.err = errors.New("short payload")
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u16() uint16 {
	if v := r.take(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if v := r.take(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if v := r.take(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (r *reader) bytes(n int) []byte { return r.take(n) }
