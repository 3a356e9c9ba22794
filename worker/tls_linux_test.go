package worker_test

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	nethttp "net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/internal/nettest"
	"github.com/workerman-go/workerman/protocols/http"
	"github.com/workerman-go/workerman/worker"
)

// testCA is a certificate authority made for one test, and what it signs.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
	pem  []byte
}

func newTestCA(t testing.TB) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "workerman test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	ca := &testCA{cert: cert, key: key, pool: x509.NewCertPool(), pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
	ca.pool.AddCert(cert)
	return ca
}

// issue signs a server certificate for names (host names or IP addresses)
// and returns it with its key, as PEM.
func (ca *testCA) issue(t testing.TB, names ...string) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: names[0]},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

// files writes a certificate and key for names into dir and returns their paths.
func (ca *testCA) files(t testing.TB, dir string, names ...string) (certFile, keyFile string) {
	t.Helper()
	c, k := ca.issue(t, names...)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, c, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, k, 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// serveTLS serves w over TLS with a certificate of ca for localhost and
// 127.0.0.1 loaded by LoadTLS.
func serveTLS(t testing.TB, ca *testCA, w *worker.Worker) string {
	t.Helper()
	conf, err := worker.LoadTLS(ca.files(t, t.TempDir(), "localhost", "127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	w.Transport, w.TLS = "ssl", conf
	return nettest.Serve(t, w)
}

func okWorker(name string) *worker.Worker {
	w := worker.New(name)
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		if req, ok := data.(*http.Request); ok {
			c.Send("ok " + req.Path())
			return
		}
		c.Send(data) // text, frame and websocket echo
	}
	return w
}

func dialTLS(t testing.TB, addr string, conf *tls.Config) *tls.Conn {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: nettest.Timeout}, "tcp", addr, conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(nettest.Timeout))
	return c
}

func TestHTTPSWithGoClients(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		ca := newTestCA(t)
		addr := serveTLS(t, ca, okWorker("http://127.0.0.1:0"))

		t.Run("net/http keep-alive", func(t *testing.T) {
			tr := &nethttp.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.pool, NextProtos: []string{"h2", "http/1.1"}}, MaxIdleConnsPerHost: 1}
			defer tr.CloseIdleConnections()
			cl := &nethttp.Client{Transport: tr, Timeout: nettest.Timeout}
			for i := range 5 {
				resp, err := cl.Get(fmt.Sprintf("https://%s/r%d", addr, i))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(b) != fmt.Sprintf("ok /r%d", i) || resp.TLS == nil || resp.TLS.NegotiatedProtocol != "http/1.1" {
					t.Fatalf("got %q, TLS %+v", b, resp.TLS)
				}
			}
		})

		t.Run("pipelined over tls.Client", func(t *testing.T) {
			c := dialTLS(t, addr, &tls.Config{RootCAs: ca.pool, ServerName: "127.0.0.1"})
			const n = 50
			if _, err := io.WriteString(c, strings.Repeat("GET /p HTTP/1.1\r\nHost: x\r\n\r\n", n)); err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(c)
			for i := range n {
				resp, err := nethttp.ReadResponse(r, nil)
				if err != nil {
					t.Fatalf("response %d: %v", i, err)
				}
				b, _ := io.ReadAll(resp.Body)
				if string(b) != "ok /p" {
					t.Fatalf("response %d: %q", i, b)
				}
			}
		})

		t.Run("records cut anywhere", func(t *testing.T) {
			raw := nettest.Dial(t, addr)
			raw.(*net.TCPConn).SetNoDelay(true)
			c := tls.Client(&chopped{Conn: raw}, &tls.Config{RootCAs: ca.pool, ServerName: "localhost"})
			const n = 20
			r := bufio.NewReader(c)
			for i := range n {
				fmt.Fprintf(c, "GET /cut%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
				resp, err := nethttp.ReadResponse(r, nil)
				if err != nil {
					t.Fatalf("response %d: %v", i, err)
				}
				if b, _ := io.ReadAll(resp.Body); string(b) != fmt.Sprintf("ok /cut%d", i) {
					t.Fatalf("response %d: %q", i, b)
				}
			}
		})

		t.Run("a large body in many records", func(t *testing.T) {
			c := dialTLS(t, addr, &tls.Config{RootCAs: ca.pool, ServerName: "localhost"})
			body := strings.Repeat("x", 300<<10)
			fmt.Fprintf(c, "POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
			resp, err := nethttp.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := io.ReadAll(resp.Body); string(b) != "ok /big" {
				t.Fatalf("got %q", b)
			}
		})

		t.Run("answers that close the connection are flushed first", func(t *testing.T) {
			for req, want := range map[string]string{
				"GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n": "HTTP/1.1 200 ",
				"GET /c HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n":        "HTTP/1.1 400 ",
			} {
				c := dialTLS(t, addr, &tls.Config{RootCAs: ca.pool, ServerName: "localhost"})
				io.WriteString(c, req)
				if b, _ := io.ReadAll(c); !strings.HasPrefix(string(b), want) {
					t.Fatalf("%q answered %q", req, b)
				}
			}
		})

		t.Run("plain HTTP gets a 400 that says so", func(t *testing.T) {
			c := nettest.Dial(t, addr)
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			b, _ := io.ReadAll(c)
			if !strings.HasPrefix(string(b), "HTTP/1.1 400 ") || !strings.Contains(string(b), "plain HTTP request was sent to HTTPS port") {
				t.Fatalf("got %q", b)
			}
		})

		t.Run("a bad record closes", func(t *testing.T) {
			c := dialTLS(t, addr, &tls.Config{RootCAs: ca.pool, ServerName: "localhost"})
			if _, err := io.WriteString(c, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			if _, err := nethttp.ReadResponse(bufio.NewReader(c), nil); err != nil {
				t.Fatal(err)
			}
			raw := c.NetConn()
			raw.Write([]byte{23, 3, 3, 0, 40})
			raw.Write(make([]byte, 40)) // an application record that fails to decrypt
			if _, err := io.ReadAll(raw); err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
				t.Fatal(err)
			}
		})
	})
}

func TestHTTPSWithCurl(t *testing.T) {
	curl := nettest.Need(t, "curl")
	ca := newTestCA(t)
	addr := serveTLS(t, ca, okWorker("http://127.0.0.1:0"))
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca.pem, 0o600); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(addr)
	url := "https://localhost:" + port
	out, err := exec.Command(curl, "-sS", "--max-time", "20", "--cacert", caFile, "--resolve", "localhost:"+port+":127.0.0.1",
		"-w", " %{http_version}", url+"/a", url+"/b").CombinedOutput()
	if err != nil || string(out) != "ok /a 1.1ok /b 1.1" {
		t.Fatalf("curl: %v: %q", err, out)
	}
}

func TestProtocolsOverTLS(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		ca := newTestCA(t)
		conf := &tls.Config{RootCAs: ca.pool, ServerName: "localhost"}

		t.Run("wss", func(t *testing.T) {
			c := dialTLS(t, serveTLS(t, ca, okWorker("websocket://127.0.0.1:0")), conf)
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
				"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
			ws := &wsClient{rawClient{Conn: c, r: bufio.NewReader(c)}}
			for {
				line, err := ws.r.ReadString('\n')
				if err != nil {
					t.Fatal(err)
				}
				if line == "\r\n" {
					break
				}
			}
			for _, msg := range []string{"hello", strings.Repeat("y", 125)} {
				if err := ws.echo(msg); err != nil {
					t.Fatalf("echo of %d bytes: %v", len(msg), err)
				}
			}
		})

		t.Run("text", func(t *testing.T) {
			c := dialTLS(t, serveTLS(t, ca, okWorker("text://127.0.0.1:0")), conf)
			io.WriteString(c, "one\ntwo\n")
			if got := nettest.ReadN(t, c, 8); got != "one\ntwo\n" {
				t.Fatalf("got %q", got)
			}
			if c.ConnectionState().NegotiatedProtocol != "" {
				t.Fatal("a text worker advertised ALPN")
			}
		})

		t.Run("frame", func(t *testing.T) {
			c := dialTLS(t, serveTLS(t, ca, okWorker("frame://127.0.0.1:0")), conf)
			c.Write([]byte{0, 0, 0, 7, 'a', 'b', 'c'})
			if got := nettest.ReadN(t, c, 7); got != "\x00\x00\x00\x07abc" {
				t.Fatalf("got %q", got)
			}
		})
	})
}

func TestSNIPicksTheCertificate(t *testing.T) {
	ca := newTestCA(t)
	var certs []tls.Certificate
	for _, name := range []string{"a.test", "b.test"} {
		c, k := ca.issue(t, name)
		pair, err := tls.X509KeyPair(c, k)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, pair)
	}
	w := okWorker("http://127.0.0.1:0")
	w.Transport, w.TLS = "ssl", &tls.Config{Certificates: certs}
	addr := nettest.Serve(t, w)
	for _, name := range []string{"a.test", "b.test"} {
		c := dialTLS(t, addr, &tls.Config{RootCAs: ca.pool, ServerName: name})
		if got := c.ConnectionState().PeerCertificates[0].Subject.CommonName; got != name {
			t.Fatalf("asked for %s, got a certificate for %s", name, got)
		}
	}
}

func TestLoadTLSNoticesRenewedFiles(t *testing.T) {
	ca := newTestCA(t)
	dir := t.TempDir()
	certFile, keyFile := ca.files(t, dir, "old.test")
	conf, err := worker.LoadTLS(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	w := okWorker("http://127.0.0.1:0")
	w.Transport, w.TLS = "ssl", conf
	addr := nettest.Serve(t, w)
	served := func(name string) string {
		c := dialTLS(t, addr, &tls.Config{RootCAs: ca.pool, ServerName: name})
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0].Subject.CommonName
	}
	if got := served("old.test"); got != "old.test" {
		t.Fatalf("served %s", got)
	}
	ca.files(t, dir, "new.test")
	nettest.Eventually(t, "the renewed certificate is served", func() bool {
		c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: ca.pool, ServerName: "new.test"})
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
	if _, err := worker.LoadTLS(filepath.Join(dir, "missing.pem"), keyFile); err == nil {
		t.Fatal("LoadTLS of a missing file succeeded")
	}
}

func TestTransportSSLNeedsAConfig(t *testing.T) {
	w := okWorker("http://127.0.0.1:0")
	w.Transport = "ssl"
	if _, err := worker.Start(w); err == nil || !strings.Contains(err.Error(), "TLS config") {
		t.Fatalf("got %v", err)
	}
}

// TestSlowHandshakesCostNothing: connections that never finish their
// handshake are closed by the handshake timeout, while a normal client keeps
// getting answers.
func TestSlowHandshakesCostNothing(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		ca := newTestCA(t)
		w := okWorker("http://127.0.0.1:0")
		w.HandshakeTimeout = time.Second
		addr := serveTLS(t, ca, w)

		// Silent, stopped inside a record header, or stopped after a whole
		// ClientHello (which starts the server's side of the handshake).
		const n = 5000
		slow := make([]net.Conn, n)
		var hellos sync.WaitGroup
		for i := range slow {
			slow[i] = nettest.Dial(t, addr)
			switch {
			case i%25 == 0:
				slow[i].SetDeadline(time.Now().Add(nettest.Timeout))
				hello := &stopAfterHello{Conn: slow[i]}
				hellos.Go(func() {
					tls.Client(hello, &tls.Config{RootCAs: ca.pool, ServerName: "localhost"}).Handshake()
				})
			case i%2 == 1: // half a record header
				slow[i].Write([]byte{22, 3})
			}
		}
		start := time.Now()
		// The requests go once the server has answered every ClientHello:
		// both sides of those handshakes run in this process, and on a
		// loaded machine their crypto could keep a request's handshake
		// past the timeout, which would measure the machine, not the server.
		hellos.Wait()
		tr := &nethttp.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.pool}, DisableKeepAlives: true}
		defer tr.CloseIdleConnections()
		cl := &nethttp.Client{Transport: tr, Timeout: nettest.Timeout}
		for i := range 10 {
			resp, err := cl.Get("https://" + addr + "/")
			if err != nil {
				t.Fatalf("request %d beside %d slow handshakes: %v", i, n, err)
			}
			resp.Body.Close()
		}
		var wg sync.WaitGroup
		for _, c := range slow {
			wg.Go(func() {
				c.SetReadDeadline(time.Now().Add(nettest.Timeout))
				buf := make([]byte, 1)
				for {
					if _, err := c.Read(buf); err != nil {
						return
					}
				}
			})
		}
		wg.Wait()
		if time.Since(start) < w.HandshakeTimeout/2 {
			t.Fatal("the slow connections closed before the handshake timeout")
		}
	})
}

// stopAfterHello is a client socket that sends its first flight and then
// nothing, reading what the server answers.
type stopAfterHello struct {
	net.Conn
	sent bool
}

func (s *stopAfterHello) Write(p []byte) (int, error) {
	if s.sent {
		return 0, errors.New("the client's Finished never goes")
	}
	s.sent = true
	return s.Conn.Write(p)
}

// TestEventSourceInChromiumOverHTTPS: a headless Chromium opens a page over
// https and its EventSource gets the seed's event over the same TLS server.
func TestEventSourceInChromiumOverHTTPS(t *testing.T) {
	const page = `<!doctype html><title>sse</title><script>
const source = new EventSource("/events");
source.addEventListener("message", function (e) {
  fetch("/report?data=" + encodeURIComponent(e.data) + "&id=" + encodeURIComponent(e.lastEventId));
  source.close();
});
</script>`
	reports := make(chan [2]string, 4)
	w := worker.New("http://127.0.0.1:0")
	w.OnMessage = func(c *connection.TcpConnection, data any) {
		req := data.(*http.Request)
		switch req.Path() {
		case "/events":
			c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/event-stream"}, "\r\n"))
			c.Send(&http.ServerSentEvents{Event: "message", Data: "hello", ID: "1"})
		case "/report":
			reports <- [2]string{req.Get("data"), req.Get("id")}
			c.Send("ok")
		default:
			c.Send(http.NewResponse(200, http.Header{"Content-Type": "text/html"}, page))
		}
	}
	addr := serveTLS(t, newTestCA(t), w)
	stop := nettest.Start(t, nettest.ChromiumCommand(t, "https://"+addr+"/", "--ignore-certificate-errors"))
	defer stop()
	select {
	case r := <-reports:
		if r != [2]string{"hello", "1"} {
			t.Fatalf("the page saw data %q with lastEventId %q, want hello and 1", r[0], r[1])
		}
	case <-time.After(60 * time.Second):
		t.Fatal("no message reached the page's EventSource over https")
	}
}

// TestTLSClients: NewAsync over TLS, "wss://" and "ssl://", against our own
// server and a crypto/tls one; certificate errors reach OnError; a reconnect
// makes a fresh handshake.
func TestTLSClients(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		ca := newTestCA(t)
		trust := &tls.Config{RootCAs: ca.pool}

		// Through a proxy, the TLS handshake runs inside the tunnel.
		for _, via := range []string{"no proxy", "a SOCKS5 proxy"} {
			t.Run("wss to our server, with a send made before connecting, through "+via, func(t *testing.T) {
				addr := serveTLS(t, ca, okWorker("websocket://127.0.0.1:0"))
				c, err := connection.NewAsync("wss://" + addr + "/chat")
				if err != nil {
					t.Fatal(err)
				}
				c.SetTLS(trust)
				var proxy *nettest.Proxy
				if via != "no proxy" {
					proxy = nettest.StartProxy(t, "", "")
					if err := c.ProxySocks5(proxy.Addr()); err != nil {
						t.Fatal(err)
					}
				}
				got := make(chan string, 2)
				c.OnMessage = func(_ *connection.TcpConnection, data any) { got <- fmt.Sprint(data) }
				c.OnConnect = func(c *connection.AsyncTcpConnection) { c.Send("after") }
				c.Send("before")
				c.Connect()
				if a, b := <-got, <-got; a != "before" || b != "after" {
					t.Fatalf("got %q then %q", a, b)
				}
				if c.Transport() != "ssl" {
					t.Fatalf("Transport() = %q", c.Transport())
				}
				if proxy != nil && proxy.Tunnels() != 1 {
					t.Fatalf("the proxy opened %d tunnels", proxy.Tunnels())
				}
				c.Close()
			})
		}

		t.Run("ssl to a crypto/tls server, reconnecting", func(t *testing.T) {
			certPEM, keyPEM := ca.issue(t, "127.0.0.1")
			pair, err := tls.X509KeyPair(certPEM, keyPEM)
			if err != nil {
				t.Fatal(err)
			}
			ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}})
			if err != nil {
				t.Fatal(err)
			}
			nettest.GoServe(t, ln, func(c net.Conn) {
				io.WriteString(c, "hello over tls\n")
				c.Close()
			})
			g, err := worker.Start(worker.New("")) // runs the loop
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(g.Stop)
			c, err := connection.NewAsync("ssl://" + ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			c.SetTLS(trust)
			got := make(chan string, 4)
			closes := 0
			c.OnMessage = func(_ *connection.TcpConnection, data any) { got <- string(data.([]byte)) }
			c.OnClose = func(*connection.TcpConnection) {
				if closes++; closes == 1 {
					c.Reconnect(0)
				}
			}
			c.Connect()
			for range 2 {
				var b strings.Builder
				for !strings.HasSuffix(b.String(), "\n") {
					select {
					case m := <-got:
						b.WriteString(m)
					case <-time.After(nettest.Timeout):
						t.Fatalf("no greeting over TLS; so far %q", b.String())
					}
				}
				if b.String() != "hello over tls\n" {
					t.Fatalf("got %q", b.String())
				}
			}
		})

		t.Run("an untrusted certificate reaches OnError", func(t *testing.T) {
			addr := serveTLS(t, ca, okWorker("text://127.0.0.1:0"))
			c, err := connection.NewAsync("text://" + addr)
			if err != nil {
				t.Fatal(err)
			}
			c.SetTLS(nil) // the system's roots, which do not hold the test CA
			errs := make(chan string, 2)
			closed := make(chan struct{})
			c.OnError = func(_ *connection.TcpConnection, code int, msg string) {
				if code != connection.ConnectFail {
					msg = fmt.Sprintf("code %d: %s", code, msg)
				}
				errs <- msg
			}
			c.OnConnect = func(*connection.AsyncTcpConnection) { errs <- "connected" }
			c.OnClose = func(*connection.TcpConnection) { close(closed) }
			c.Connect()
			msg := <-errs
			if !strings.HasPrefix(msg, "TLS handshake with "+addr+" failed: ") || !strings.Contains(msg, "certificate") {
				t.Fatalf("OnError got %q", msg)
			}
			<-closed
		})
	})
}

// chopped writes what it is given in pieces of 1 to 7 bytes, each a write
// of its own, so that records (the handshake's too) reach the server cut
// at every place.
type chopped struct {
	net.Conn
	k int
}

func (c *chopped) Write(p []byte) (int, error) {
	for off := 0; off < len(p); {
		c.k++
		end := min(off+1+c.k%7, len(p))
		if _, err := c.Conn.Write(p[off:end]); err != nil {
			return off, err
		}
		off = end
	}
	return len(p), nil
}

// FuzzTLSServerInput: whatever a client sends to a TLS port, in place of a
// handshake or inside one, the server ends that connection (an answer or a
// close) within its handshake timeout, and keeps serving other clients.
func FuzzTLSServerInput(f *testing.F) {
	ca := newTestCA(f)
	w := okWorker("http://127.0.0.1:0")
	w.HandshakeTimeout = 300 * time.Millisecond
	addr := serveTLS(f, ca, w)
	trust := &tls.Config{RootCAs: ca.pool, ServerName: "localhost"}

	hello := clientHello(f, trust)
	f.Add([]byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"))
	f.Add([]byte{22, 3})
	f.Add(hello)
	f.Add(hello[:len(hello)/2])
	f.Add(append(append([]byte{}, hello...), 23, 3, 3, 0, 16, 1, 2, 3))          // application data before the handshake ends
	f.Add([]byte{22, 3, 1, 0xff, 0xff, 1, 0, 0xff, 0xfb})                        // a record longer than allowed
	f.Add([]byte{21, 3, 3, 0, 2, 2, 40})                                         // an alert first
	f.Add(append(append([]byte{}, hello[:5]...), make([]byte, len(hello)-5)...)) // a zeroed ClientHello
	f.Fuzz(func(t *testing.T, in []byte) {
		raw := nettest.Dial(t, addr)
		raw.SetDeadline(time.Now().Add(nettest.Timeout))
		raw.Write(in)
		raw.(*net.TCPConn).CloseWrite()
		if _, err := io.Copy(io.Discard, raw); err != nil {
			t.Fatalf("the server did not end the connection: %v", err)
		}
		c := dialTLS(t, addr, trust)
		io.WriteString(c, "GET /still HTTP/1.1\r\nHost: localhost\r\n\r\n")
		resp, err := nethttp.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("after that input the next client got: %v", err)
		}
		resp.Body.Close()
	})
}

// clientHello is the first flight of a crypto/tls client with conf.
func clientHello(t testing.TB, conf *tls.Config) []byte {
	t.Helper()
	a, b := net.Pipe()
	defer a.Close()
	go func() {
		tls.Client(b, conf).Handshake()
		b.Close()
	}()
	a.SetReadDeadline(time.Now().Add(nettest.Timeout))
	head := make([]byte, 5)
	if _, err := io.ReadFull(a, head); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, int(head[3])<<8|int(head[4]))
	if _, err := io.ReadFull(a, body); err != nil {
		t.Fatal(err)
	}
	return append(head, body...)
}

// TestCloseSendsCloseNotify: a TLS connection that the server closes ends its
// records with a close_notify alert, so the client can tell the end of the
// data from a cut connection (TLS 1.2 shows the alert's record type).
func TestCloseSendsCloseNotify(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		ca := newTestCA(t)
		text := worker.New("text://127.0.0.1:0")
		text.OnMessage = func(c *connection.TcpConnection, data any) { c.Close("bye") }
		for _, tc := range []struct {
			name, send, want string
			w                *worker.Worker
		}{
			{"Close", "hi\n", "bye\n", text},
			{"a response that ends the connection", "GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "ok /x", okWorker("http://127.0.0.1:0")},
		} {
			t.Run(tc.name, func(t *testing.T) {
				addr := serveTLS(t, ca, tc.w)
				raw := &recording{Conn: nettest.Dial(t, addr)}
				c := tls.Client(raw, &tls.Config{RootCAs: ca.pool, ServerName: "localhost", MaxVersion: tls.VersionTLS12})
				c.SetDeadline(time.Now().Add(nettest.Timeout))
				io.WriteString(c, tc.send)
				got, err := io.ReadAll(c)
				if err != nil || !strings.HasSuffix(string(got), tc.want) {
					t.Fatalf("read %q, %v", got, err)
				}
				var last byte
				for b := raw.read; len(b) >= 5; {
					n := 5 + (int(b[3])<<8 | int(b[4]))
					if n > len(b) {
						break
					}
					last, b = b[0], b[n:]
				}
				if last != 21 {
					t.Fatalf("the last record is of type %d, want an alert (21)", last)
				}
			})
		}
	})
}

// recording is a client socket that keeps every byte it reads.
type recording struct {
	net.Conn
	read []byte
}

func (r *recording) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.read = append(r.read, p[:n]...)
	return n, err
}

// TestSelfSignedTLS: the certificate covers the names asked for and serves
// as its own root; one process asked twice for the same names serves one
// certificate.
func TestSelfSignedTLS(t *testing.T) {
	if _, err := worker.SelfSignedTLS(); err == nil {
		t.Fatal("SelfSignedTLS with no names made a certificate")
	}
	conf, err := worker.SelfSignedTLS("localhost", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := worker.SelfSignedTLS("localhost", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Certificates[0].Certificate[0], conf.Certificates[0].Certificate[0]) {
		t.Fatal("a second call for the same names made another certificate")
	}
	other, err := worker.SelfSignedTLS("other.test")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other.Certificates[0].Certificate[0], conf.Certificates[0].Certificate[0]) {
		t.Fatal("other names got the same certificate")
	}
	w := okWorker("http://127.0.0.1:0")
	w.Transport, w.TLS = "ssl", conf
	addr := nettest.Serve(t, w)
	leaf, err := x509.ParseCertificate(conf.Certificates[0].Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	for _, name := range []string{"localhost", "127.0.0.1"} {
		if got, _ := httpsGet(t, addr, &tls.Config{RootCAs: roots, ServerName: name}); got != "ok /" {
			t.Fatalf("as %s: got %q", name, got)
		}
	}
	if _, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, ServerName: "example.com"}); err == nil {
		t.Fatal("the certificate passed for a name it does not cover")
	}
}

// TestSelfSignedTLSOneCertificatePerRun: the children of a daemonized master,
// and those a reload starts, serve the certificate the master made, so that a
// browser that trusts it once trusts every process.
func TestSelfSignedTLSOneCertificatePerRun(t *testing.T) {
	d := deploy(t, 2)
	d.env = append(d.env, "APP_TLS=1")
	d.mustRun("start", "-d")
	var cert []byte
	// serving asks on new connections until every pid in want has
	// answered, and checks that each served the one certificate.
	serving := func(want map[int]bool) {
		t.Helper()
		for i := 0; len(want) > 0; i++ {
			if i == 500 {
				t.Fatalf("processes %v never answered", want)
			}
			answer, got := httpsGet(t, d.addr, &tls.Config{InsecureSkipVerify: true})
			pid, _ := strconv.Atoi(field(answer, "pid"))
			if cert == nil {
				cert = got
			}
			if !bytes.Equal(got, cert) {
				t.Fatalf("process %d serves another certificate", pid)
			}
			delete(want, pid)
		}
	}
	pids := func(s status) map[int]bool {
		m := map[int]bool{}
		for _, p := range s.Processes {
			m[p.PID] = true
		}
		return m
	}
	before := d.waitStatus("two processes", func(s status) bool { return len(s.Processes) == 2 })
	serving(pids(before))
	d.mustRun("reload")
	after := d.waitStatus("two new processes serving", func(s status) bool {
		for _, p := range s.Processes {
			if before.Processes[0].PID == p.PID || before.Processes[1].PID == p.PID || p.Busy {
				return false
			}
		}
		return len(s.Processes) == 2
	})
	serving(pids(after))
}

// httpsGet asks GET / on a connection of its own and returns the body and
// the certificate the server presented.
func httpsGet(t *testing.T, addr string, conf *tls.Config) (body string, cert []byte) {
	t.Helper()
	tr := &nethttp.Transport{TLSClientConfig: conf, DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	resp, err := (&nethttp.Client{Transport: tr, Timeout: nettest.Timeout}).Get("https://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), resp.TLS.PeerCertificates[0].Raw
}

// useTLS makes d serve https with a certificate of ca for name and
// 127.0.0.1, from files in d's directory that each process reads once as it
// starts, and makes d's client trust ca.
func (d *deployment) useTLS(ca *testCA, name string) {
	d.tb.Helper()
	certFile, keyFile := ca.files(d.tb, d.dir, name, "127.0.0.1")
	d.env = append(d.env, "APP_TLS_CERT="+certFile, "APP_TLS_KEY="+keyFile)
	d.scheme = "https"
	d.client = &nethttp.Client{
		Transport: &nethttp.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{RootCAs: ca.pool}},
		Timeout:   client.Timeout,
	}
}

// servedName is the name of the certificate d serves now.
func (d *deployment) servedName() string {
	d.tb.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: nettest.Timeout}, "tcp", d.addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		d.tb.Fatal(err)
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].Subject.CommonName
}

// TestReloadServesRenewedCertificate: certificate files renewed in place,
// for a program that reads them once as it starts, are served after
// `reload`, and no https request fails while the processes change.
func TestReloadServesRenewedCertificate(t *testing.T) {
	d := deploy(t, 2)
	ca := newTestCA(t)
	d.useTLS(ca, "before.test")
	d.mustRun("start", "-d")
	if ans, err := d.get(); err != nil || !strings.HasPrefix(ans, "v1 ") {
		t.Fatalf("https before the reload: %q, %v", ans, err)
	}
	ca.files(t, d.dir, "after.test", "127.0.0.1")
	if got := d.servedName(); got != "before.test" {
		t.Fatalf("before the reload the program serves %q, want the certificate it started with", got)
	}
	ok, failed, lastErr := d.reloadUnderLoad(20000)
	if failed > 0 || ok == 0 {
		t.Fatalf("https requests during reload: %d answered, %d failed (last: %s)", ok, failed, lastErr)
	}
	if got := d.servedName(); got != "after.test" {
		t.Fatalf("after the reload the program serves %q, want the renewed certificate", got)
	}
	t.Logf("%d https requests answered during the reload, none failed", ok)
	d.mustRun("stop")
}

// TestIdleOverTLS: a TLS connection is idle, for a reload to close, only
// once its handshake has ended and a request came through it: its raw bytes
// before that are no request, and the one its client is about to send would
// be lost.
func TestIdleOverTLS(t *testing.T) {
	ca := newTestCA(t)
	w := okWorker("http://127.0.0.1:0")
	addr := serveTLS(t, ca, w)
	// idle reports whether the worker's one connection is idle, once it has one.
	idle := func() bool {
		t.Helper()
		var n int
		var is bool
		nettest.Eventually(t, "the server holds the connection", func() bool {
			eventloop.Default().Exec(func() {
				n = len(w.Connections())
				for _, c := range w.Connections() {
					is = c.Idle()
				}
			})
			return n == 1
		})
		return is
	}

	raw := nettest.Dial(t, addr)
	raw.Write([]byte{0x16, 0x03, 0x01, 0x00}) // the start of a ClientHello
	if idle() {
		t.Fatal("idle in the middle of its ClientHello")
	}
	raw.Close()
	nettest.Eventually(t, "the server lets the first connection go", func() bool {
		var n int
		eventloop.Default().Exec(func() { n = len(w.Connections()) })
		return n == 0
	})

	c := dialTLS(t, addr, &tls.Config{RootCAs: ca.pool, ServerName: "127.0.0.1"})
	if idle() {
		t.Fatal("idle after its handshake, before its first request")
	}
	fmt.Fprintf(c, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := nethttp.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !idle() {
		t.Fatal("not idle between requests")
	}
}
