package websocket

import (
	"strings"
	"testing"
)

// dialedConn is a fakeConn that was dialled, as connection.NewAsync's are.
type dialedConn struct {
	*fakeConn
	target, transport string
}

func (c *dialedConn) DialTarget() (string, string) { return c.target, "/chat" }
func (c *dialedConn) Transport() string            { return c.transport }

// TestClientHostOmitsTheDefaultPortOfItsScheme: the handshake's Host leaves
// out 80 for ws and 443 for wss, as a browser does, and keeps any other port.
func TestClientHostOmitsTheDefaultPortOfItsScheme(t *testing.T) {
	for _, tc := range []struct {
		url, transport, target, host string
	}{
		{"ws://example.com:80/", "tcp", "example.com:80", "example.com"},
		{"wss://example.com:443/", "ssl", "example.com:443", "example.com"},
		{"ws://example.com:443/", "tcp", "example.com:443", "example.com:443"},
		{"wss://example.com:80/", "ssl", "example.com:80", "example.com:80"},
		{"ws://example.com:8080/", "tcp", "example.com:8080", "example.com:8080"},
		{"wss://example.com:8443/", "ssl", "example.com:8443", "example.com:8443"},
		{"wss://[::1]:443/", "ssl", "[::1]:443", "[::1]"},
		{"ws://[::1]:80/", "tcp", "[::1]:80", "[::1]"},
		{"wss://[::1]:4430/", "ssl", "[::1]:4430", "[::1]:4430"},
	} {
		c := &dialedConn{fakeConn: newFakeConn(1 << 20), target: tc.target, transport: tc.transport}
		(&Client{}).OnConnect(c)
		head, _, _ := strings.Cut(string(c.out), "\r\n\r\n")
		if !strings.Contains(head+"\r\n", "\r\nHost: "+tc.host+"\r\n") {
			t.Errorf("%s: handshake\n%s\nwant Host: %s", tc.url, head, tc.host)
		}
	}
}
