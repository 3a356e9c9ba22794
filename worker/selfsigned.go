package worker

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"hash/crc32"
	"math/big"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// envSelfSigned, followed by "_" and a checksum of the names, carries a
// self-signed certificate and its key (PEM) from a master to the processes it
// starts.
const envSelfSigned = "WORKERMAN_GO_SELF_SIGNED"

// selfSignedMade is every certificate SelfSignedTLS made or took in this
// process, by the environment variable its children get it in.
var selfSignedMade struct {
	mu  sync.Mutex
	pem map[string][]byte
}

// SelfSignedTLS returns a TLS config that serves a certificate for names
// (host names or IP addresses, the first also its common name), valid for a
// year and signed by its own key: https and wss to try out without a
// certificate of one's own. A browser warns about it until told to trust it;
// anything but a try-out wants a real certificate (LoadTLS).
//
// Every process of one run serves the same certificate: the master, which
// runs main before it starts its children, makes it and hands it to them
// (and to the children a reload starts) in their environment, so that a
// browser told to trust it once trusts whichever process accepts it. A
// restart makes a new one.
func SelfSignedTLS(names ...string) (*tls.Config, error) {
	if len(names) == 0 {
		return nil, errors.New("worker: SelfSignedTLS needs a host name or IP address")
	}
	key := fmt.Sprintf("%s_%08X", envSelfSigned, crc32.ChecksumIEEE([]byte(strings.Join(names, "\x00"))))
	selfSignedMade.mu.Lock()
	defer selfSignedMade.mu.Unlock()
	pemBytes, ok := selfSignedMade.pem[key]
	if !ok {
		pemBytes = []byte(os.Getenv(key))
	}
	cert, err := tls.X509KeyPair(pemBytes, pemBytes)
	if err != nil { // none made or handed down, or unreadable: make one
		if pemBytes, err = selfSigned(names); err != nil {
			return nil, fmt.Errorf("worker: self-signed certificate: %w", err)
		}
		if cert, err = tls.X509KeyPair(pemBytes, pemBytes); err != nil {
			return nil, fmt.Errorf("worker: self-signed certificate: %w", err)
		}
	}
	if selfSignedMade.pem == nil {
		selfSignedMade.pem = map[string][]byte{}
	}
	selfSignedMade.pem[key] = pemBytes
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
}

// selfSigned makes a certificate for names and its key, as PEM blocks.
func selfSigned(names []string) ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, err
	}
	tmpl := x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: names[0]},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		// Its own authority, so that a client can trust it as a root.
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return append(out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})...), nil
}

// selfSignedChildEnv is what a new child, or a daemonized master, needs to
// serve the certificates this process serves.
func selfSignedChildEnv() []string {
	selfSignedMade.mu.Lock()
	defer selfSignedMade.mu.Unlock()
	var env []string
	for key, p := range selfSignedMade.pem {
		env = append(env, key+"="+string(p))
	}
	return env
}
