//go:build unix

package main

import (
	"bufio"
	"crypto/tls"
	"io"
	nethttp "net/http"
	"os"
	"testing"
	"time"

	"github.com/workerman-go/workerman/internal/nettest"
)

var programs nettest.Programs

func TestMain(m *testing.M) { os.Exit(nettest.Run(m, &programs)) }

// TestProgram runs the example as a user would, first with the certificate it
// makes itself, then with one from TLS_CERT and TLS_KEY, and checks "ok" and
// the 2-second event over TLS.
func TestProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example; waits for its 2-second timer")
	}
	nettest.NeedPort(t, "8443")
	bin := programs.Build(t, ".")

	t.Run("self-signed", func(t *testing.T) {
		c := run(t, bin, nil)
		if names := c.ConnectionState().PeerCertificates[0].DNSNames; len(names) != 1 || names[0] != "localhost" {
			t.Fatalf("the certificate names %q", names)
		}
		seed(t, c)
	})

	t.Run("TLS_CERT and TLS_KEY", func(t *testing.T) {
		certFile, keyFile, _ := nettest.CertFiles(t, "files.test")
		c := run(t, bin, []string{"TLS_CERT=" + certFile, "TLS_KEY=" + keyFile})
		if name := c.ConnectionState().PeerCertificates[0].Subject.CommonName; name != "files.test" {
			t.Fatalf("served a certificate for %q", name)
		}
		seed(t, c)
	})
}

// run starts the example with env and returns a TLS connection to it, which
// trusts any certificate (the tests check the one they get).
func run(t *testing.T, bin string, env []string) *tls.Conn {
	nettest.StartProgram(t, bin, "8443", env...)
	c, err := tls.Dial("tcp", "127.0.0.1:8443", &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(nettest.Timeout))
	return c
}

// seed checks the seed's answers on one keep-alive connection.
func seed(t *testing.T, c *tls.Conn) {
	r := bufio.NewReader(c)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
	resp, err := nethttp.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != "ok" {
		t.Fatalf("got %q", b)
	}
	const head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: keep-alive\r\n\r\n"
	const event = "event: message\nid: 1\ndata: hello\n\n"
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
	if got := nettest.ReadN(t, r, len(head)+len(event)); got != head+event {
		t.Fatalf("event stream:\n got %q\nwant %q", got, head+event)
	}
}
