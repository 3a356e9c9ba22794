package nettest

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// Proxy is a SOCKS5 (RFC 1928, with RFC 1929 username/password) and HTTP
// CONNECT proxy on loopback, both on one port: a first byte of 5 is SOCKS5.
// It tunnels each connection to the address asked for, in goroutines of the
// test process, until the test ends.
type Proxy struct {
	user, password string
	ln             net.Listener
	tunnels        atomic.Int64
	mu             sync.Mutex
	conns          map[net.Conn]struct{}
	wg             sync.WaitGroup
}

// StartProxy starts a proxy that stops when the test ends; with a user name
// it requires that user and password of every client.
func StartProxy(t testing.TB, user, password string) *Proxy {
	t.Helper()
	p, err := NewProxy(user, password)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// NewProxy starts a proxy, for examples, which have no test to end: Close
// stops it.
func NewProxy(user, password string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{user: user, password: password, ln: ln, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's "host:port".
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Tunnels is how many tunnels the proxy has opened.
func (p *Proxy) Tunnels() int64 { return p.tunnels.Load() }

// Close stops the proxy and closes its connections.
func (p *Proxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
}

// track keeps c to close when the proxy stops; false when it has stopped.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer c.Close()
			r := bufio.NewReader(c)
			first, err := r.Peek(1)
			if err != nil {
				return
			}
			if first[0] == 0x05 {
				p.socks5(c, r)
			} else {
				p.http(c, r)
			}
		}()
	}
}

func (p *Proxy) socks5(c net.Conn, r *bufio.Reader) {
	head := make([]byte, 2)
	if _, err := io.ReadFull(r, head); err != nil {
		return
	}
	methods := make([]byte, head[1])
	if _, err := io.ReadFull(r, methods); err != nil {
		return
	}
	want := byte(0x00)
	if p.user != "" {
		want = 0x02
	}
	if !containsByte(methods, want) {
		c.Write([]byte{0x05, 0xFF})
		return
	}
	c.Write([]byte{0x05, want})
	if p.user != "" {
		user, pass, ok := readUserPass(r)
		if !ok {
			return
		}
		if user != p.user || pass != p.password {
			c.Write([]byte{0x01, 0x01})
			return
		}
		c.Write([]byte{0x01, 0x00})
	}
	req := make([]byte, 4)
	if _, err := io.ReadFull(r, req); err != nil || req[0] != 0x05 || req[1] != 0x01 {
		return
	}
	var host string
	switch req[3] {
	case 0x01, 0x04:
		ip := make(net.IP, 4)
		if req[3] == 0x04 {
			ip = make(net.IP, 16)
		}
		if _, err := io.ReadFull(r, ip); err != nil {
			return
		}
		host = ip.String()
	case 0x03:
		n, err := r.ReadByte()
		if err != nil {
			return
		}
		name := make([]byte, n)
		if _, err := io.ReadFull(r, name); err != nil {
			return
		}
		host = string(name)
	default:
		c.Write([]byte{0x05, 0x08, 0x00, 0x01, 0, 0, 0, 0, 0, 0})
		return
	}
	port := make([]byte, 2)
	if _, err := io.ReadFull(r, port); err != nil {
		return
	}
	target := net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(port))))
	up, err := net.Dial("tcp", target)
	if err != nil {
		c.Write([]byte{0x05, 0x05, 0x00, 0x01, 0, 0, 0, 0, 0, 0})
		return
	}
	c.Write([]byte{0x05, 0x00, 0x00, 0x01, 127, 0, 0, 1, 0, 0})
	p.tunnel(c, r, up)
}

func readUserPass(r *bufio.Reader) (user, pass string, ok bool) {
	var fields [2]string
	if v, err := r.ReadByte(); err != nil || v != 0x01 {
		return "", "", false
	}
	for i := range fields {
		n, err := r.ReadByte()
		if err != nil {
			return "", "", false
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return "", "", false
		}
		fields[i] = string(b)
	}
	return fields[0], fields[1], true
}

func containsByte(b []byte, v byte) bool {
	for _, x := range b {
		if x == v {
			return true
		}
	}
	return false
}

func (p *Proxy) http(c net.Conn, r *bufio.Reader) {
	req, err := http.ReadRequest(r)
	if err != nil {
		return
	}
	if req.Method != http.MethodConnect {
		io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\n\r\n")
		return
	}
	if p.user != "" {
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(p.user+":"+p.password))
		if req.Header.Get("Proxy-Authorization") != want {
			io.WriteString(c, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n\r\n")
			return
		}
	}
	up, err := net.Dial("tcp", req.Host)
	if err != nil {
		io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
		return
	}
	io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
	p.tunnel(c, r, up)
}

// tunnel copies both ways between the client (read through r) and up until
// either side closes.
func (p *Proxy) tunnel(c net.Conn, r *bufio.Reader, up net.Conn) {
	if !p.track(up) {
		return
	}
	p.tunnels.Add(1)
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, r); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
	c.Close()
	up.Close()
	<-done
}
