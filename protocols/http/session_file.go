package http

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FileSessionHandler keeps each session in a file "session_{id}" of Dir.
// Writes go to a temporary file renamed over the old one, so a reader never
// sees half of a session. An id that fails ValidSessionID is refused with
// ErrInvalidSessionID, so no call reaches a file outside Dir or without the
// prefix. GC removes the files older than the lifetime it is given.
type FileSessionHandler struct {
	// Dir holds the files; empty means Open's savePath, else os.TempDir().
	Dir string
	// Lifetime, when positive, makes Read treat older files as gone.
	Lifetime time.Duration
}

const sessionFilePrefix = "session_"

// Open creates the directory.
func (h *FileSessionHandler) Open(savePath, _ string) error {
	if h.Dir == "" {
		h.Dir = savePath
	}
	if h.Dir == "" {
		h.Dir = os.TempDir()
	}
	return os.MkdirAll(h.Dir, 0o700)
}

// Close does nothing: the handler holds no open files.
func (h *FileSessionHandler) Close() error { return nil }

func (h *FileSessionHandler) path(id string) (string, error) {
	if !ValidSessionID(id) {
		return "", ErrInvalidSessionID
	}
	return filepath.Join(h.Dir, sessionFilePrefix+id), nil
}

// Read returns the session's data, nil if it has no file or it expired.
func (h *FileSessionHandler) Read(id string) ([]byte, error) {
	p, err := h.path(id)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if h.Lifetime > 0 && time.Since(info.ModTime()) > h.Lifetime {
		_ = os.Remove(p)
		return nil, nil
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// Write stores the data atomically: temporary file, then rename.
func (h *FileSessionHandler) Write(id string, data []byte) error {
	p, err := h.path(id)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(h.Dir, "."+sessionFilePrefix+"*.tmp")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

// Destroy removes the session's file.
func (h *FileSessionHandler) Destroy(id string) error {
	p, err := h.path(id)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// GC removes session files older than maxLifetime.
func (h *FileSessionHandler) GC(maxLifetime time.Duration) error {
	entries, err := os.ReadDir(h.Dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), sessionFilePrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > maxLifetime {
			_ = os.Remove(filepath.Join(h.Dir, e.Name()))
		}
	}
	return nil
}

// UpdateTimestamp touches the session's file.
func (h *FileSessionHandler) UpdateTimestamp(id string, _ []byte) error {
	p, err := h.path(id)
	if err != nil {
		return err
	}
	now := time.Now()
	err = os.Chtimes(p, now, now)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
