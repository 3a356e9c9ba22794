package worker

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// checkTLS checks that an "ssl" worker has a TLS config and makes the one it
// serves: the same, with ALPN advertising http/1.1 for the protocols that
// speak HTTP when the config names no protocol of its own.
func (w *Worker) checkTLS() error {
	if w.Transport != "ssl" {
		return nil
	}
	if w.TLS == nil {
		return fmt.Errorf("worker: %s: transport ssl needs a TLS config (worker.LoadTLS)", w.socketName)
	}
	if w.tlsConf != nil {
		return nil
	}
	conf := w.TLS
	if len(conf.NextProtos) == 0 && (w.scheme == "http" || w.scheme == "websocket" || w.scheme == "ws") {
		conf = conf.Clone()
		conf.NextProtos = []string{"http/1.1"}
	}
	w.tlsConf = conf
	return nil
}

// certCheckEvery is how often LoadTLS's config looks whether the files changed.
const certCheckEvery = time.Second

// LoadTLS reads a PEM certificate chain and its key and returns a TLS config
// that serves them. The config notices renewed files by themselves: a
// handshake that comes more than a second after the last look checks their
// modification times and loads them again when they changed (a renewal that
// fails to load is logged and the certificate loaded before stays in use). Processes started by `reload` read them afresh anyway.
func LoadTLS(certFile, keyFile string) (*tls.Config, error) {
	k := &keyPair{certFile: certFile, keyFile: keyFile}
	if err := k.load(); err != nil {
		return nil, err
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: k.get}, nil
}

// keyPair is a certificate and key loaded from files, reloaded when they change.
type keyPair struct {
	certFile, keyFile string

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   []byte // the files' sizes and modification times at load
	checked time.Time
}

func (k *keyPair) load() error {
	stamp, err := k.stampNow()
	if err != nil {
		return err
	}
	cert, err := tls.LoadX509KeyPair(k.certFile, k.keyFile)
	if err != nil {
		return fmt.Errorf("worker: TLS certificate %s, key %s: %w", k.certFile, k.keyFile, err)
	}
	k.cert, k.stamp, k.checked = &cert, stamp, time.Now()
	return nil
}

// stampNow describes the two files as they are now.
func (k *keyPair) stampNow() ([]byte, error) {
	var b []byte
	for _, name := range []string{k.certFile, k.keyFile} {
		fi, err := os.Stat(name)
		if err != nil {
			return nil, fmt.Errorf("worker: TLS: %w", err)
		}
		b = fmt.Appendf(b, "%d/%d;", fi.Size(), fi.ModTime().UnixNano())
	}
	return b, nil
}

// get is the config's GetCertificate; it runs on handshake goroutines.
func (k *keyPair) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if time.Since(k.checked) < certCheckEvery {
		return k.cert, nil
	}
	k.checked = time.Now()
	stamp, err := k.stampNow()
	if err != nil || bytes.Equal(stamp, k.stamp) {
		return k.cert, nil
	}
	if err := k.load(); err != nil {
		slog.Warn("workerman: renewed TLS certificate failed to load; serving the one loaded before", "err", err)
	}
	return k.cert, nil
}
