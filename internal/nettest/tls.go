package nettest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/workerman-go/workerman/worker"
)

// CertFiles writes a self-signed certificate for names (worker.SelfSignedTLS)
// and its key as PEM files in a temporary directory, for a program that takes
// them by name, and returns the files with a pool that trusts the certificate.
func CertFiles(t testing.TB, names ...string) (certFile, keyFile string, roots *x509.CertPool) {
	t.Helper()
	conf, err := worker.SelfSignedTLS(names...)
	if err != nil {
		t.Fatal(err)
	}
	cert := conf.Certificates[0]
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for name, block := range map[string]*pem.Block{
		certFile: {Type: "CERTIFICATE", Bytes: cert.Certificate[0]},
		keyFile:  {Type: "PRIVATE KEY", Bytes: key},
	} {
		if err := os.WriteFile(name, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	roots = x509.NewCertPool()
	roots.AddCert(leaf)
	return certFile, keyFile, roots
}

// TrustServed dials the TLS server at addr, checks that the certificate it
// serves covers name and returns a pool that trusts it as its own root: for
// a self-signed certificate a program made.
func TrustServed(t testing.TB, addr, name string) *x509.CertPool {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: Timeout}, "tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	cert := c.ConnectionState().PeerCertificates[0]
	c.Close()
	if err := cert.VerifyHostname(name); err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return roots
}
