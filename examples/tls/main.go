// Command tls is the seed example over TLS: https://127.0.0.1:8443/ answers
// "ok", and a client that asks for text/event-stream gets an event every two
// seconds. The certificate and key come from the files named by TLS_CERT
// and TLS_KEY when both are set (renewed files are picked up, see
// docs/tls.md); otherwise a self-signed certificate for localhost and
// 127.0.0.1 is made at start.
//
//	go run ./examples/tls start
//	curl -k https://127.0.0.1:8443/
//	curl -kN -H 'Accept: text/event-stream' https://127.0.0.1:8443/
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"log"
	"math/big"
	"net"
	"os"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/timer"
	"github.com/workerman-go/workerman/worker"
)

func main() {
	conf, err := tlsConfig()
	if err != nil {
		log.Fatal(err)
	}
	w := worker.New("http://0.0.0.0:8443")
	w.Transport, w.TLS = "ssl", conf
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		req := data.(*http.Request)
		if req.Header("accept") == "text/event-stream" {
			c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, "\r\n"))
			var id timer.ID
			id = timer.Add(2*time.Second, func() {
				if c.Status() != connection.StatusEstablished {
					timer.Del(id)
					return
				}
				c.Send(&http.ServerSentEvents{Event: "message", Data: "hello", ID: "1"})
			})
			return
		}
		c.Send("ok")
	}
	worker.RunAll()
}

// tlsConfig loads TLS_CERT and TLS_KEY, or makes a self-signed certificate.
func tlsConfig() (*tls.Config, error) {
	if cert, key := os.Getenv("TLS_CERT"), os.Getenv("TLS_KEY"); cert != "" && key != "" {
		return worker.LoadTLS(cert, key)
	}
	cert, err := selfSigned("localhost", "127.0.0.1")
	if err != nil {
		return nil, err
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, nil
}

// selfSigned makes a certificate for names, valid for a year, signed by its
// own key. Each process makes its own; a browser asks to trust it once per
// certificate, so use TLS_CERT and TLS_KEY for anything but a try-out.
func selfSigned(names ...string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: names[0]},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true,

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
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
