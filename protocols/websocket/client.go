package websocket

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/workerman-go/workerman/protocols"
	"github.com/workerman-go/workerman/protocols/http"
)

// Client is the WebSocket client protocol of connection.NewAsync
// ("ws://host:port/path?query"): the connection sends the opening handshake
// when it connects, checks the server's Sec-WebSocket-Accept, then carries
// masked frames. The scheme "ws" uses DefaultClient; to set fields for one
// connection, give it a Client of its own:
//
//	c, _ := connection.NewAsync("ws://127.0.0.1:8080/room")
//	c.SetProtocol(&websocket.Client{Subprotocols: []string{"chat.v1"}, Origin: "https://example.com"})
//
// (or register one under a scheme of your own, for many connections). Set
// the fields before the first connection uses the Client. Sends and pings
// made before the handshake completes wait and follow it.
type Client struct {
	// Origin, when set, is sent as the handshake's Origin.
	Origin string
	// Subprotocols are offered in Sec-WebSocket-Protocol, preferred first.
	Subprotocols []string
	// Header holds extra header fields for the handshake request.
	Header http.Header
	// OnWebSocketConnect runs once the server accepted the handshake, with
	// its 101 response; the connection is open.
	OnWebSocketConnect func(c protocols.Conn, resp *http.Response)

	// OnPing, OnPong, OnCloseFrame and PingInterval are as for Protocol.
	OnPing       func(c protocols.Conn, payload []byte)
	OnPong       func(c protocols.Conn, payload []byte)
	OnCloseFrame func(c protocols.Conn, code int, reason string)
	PingInterval time.Duration
	// HeaderLimit caps the server's handshake response (http.DefaultHeaderLimit).
	HeaderLimit int
	// Compression is permessage-deflate, offered in every handshake unless
	// Compression.Disable is set.
	Compression Compression

	once sync.Once
	ep   endpoint
}

// DefaultClient is the protocol registered as "ws".
var DefaultClient = &Client{}

// Name is how status tables and logs call the protocol.
func (cl *Client) Name() string { return "Ws" }

func (cl *Client) state(c protocols.Conn) *connState {
	if st, ok := c.ProtocolState().(*connState); ok {
		return st
	}
	cl.once.Do(func() {
		cl.ep = endpoint{client: true, onPing: cl.OnPing, onPong: cl.OnPong, onCloseFrame: cl.OnCloseFrame}
		cl.ep.every = cl.PingInterval
	})
	return newState(c, &cl.ep)
}

// OnConnect sends the opening handshake.
func (cl *Client) OnConnect(c protocols.Conn) {
	st := cl.state(c)
	host, uri, secure := "", "/", false
	if d, ok := c.(protocols.Dialed); ok {
		if h, u := d.DialTarget(); h != "" {
			host, uri = h, u
		}
		secure = d.Transport() == "ssl"
	}
	if host == "" && c.RemoteAddr() != nil {
		host = c.RemoteAddr().String()
	}
	var nonce [16]byte
	rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	st.key = acceptKey(key)
	c.SendRaw(cl.appendRequest(nil, hostField(host, secure), uri, key))
}

// hostField is the Host of a handshake to hostport: without the port when
// it is the scheme's default (80 for ws, 443 for wss), as a browser sends it.
func hostField(hostport string, secure bool) string {
	if secure {
		return strings.TrimSuffix(hostport, ":443")
	}
	return strings.TrimSuffix(hostport, ":80")
}

// appendRequest appends the opening handshake of RFC 6455 section 4.1.
func (cl *Client) appendRequest(dst []byte, host, uri, key string) []byte {
	dst = append(dst, "GET "+stripCRLF(uri)+" HTTP/1.1\r\nHost: "+stripCRLF(host)+
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "+key+"\r\nSec-WebSocket-Version: 13\r\n"...)
	if cl.Origin != "" && http.ValidField("Origin", cl.Origin) {
		dst = append(dst, "Origin: "+cl.Origin+"\r\n"...)
	}
	if sp := strings.Join(cl.Subprotocols, ", "); sp != "" && http.ValidField("Sec-WebSocket-Protocol", sp) {
		dst = append(dst, "Sec-WebSocket-Protocol: "+sp+"\r\n"...)
	}
	if ext := cl.Compression.offer(); ext != "" {
		dst = append(dst, "Sec-WebSocket-Extensions: "+ext+"\r\n"...)
	}
	return append(appendFields(dst, cl.Header), "\r\n"...)
}

func stripCRLF(s string) string {
	return strings.NewReplacer("\r", "", "\n", "").Replace(s)
}

// OnClose forgets the connection's WebSocket, so that a reconnect starts a
// fresh handshake.
func (cl *Client) OnClose(c protocols.Conn) {
	if st, ok := c.ProtocolState().(*connState); ok {
		st.closed()
		c.SetProtocolState(nil)
	}
}

// OnPanic is as Protocol.OnPanic.
func (cl *Client) OnPanic(c protocols.Conn) { cl.state(c).panicked() }

// Input frames the server's handshake response, then one frame at a time.
func (cl *Client) Input(buf []byte, c protocols.Conn) (int, error) {
	st := cl.state(c)
	if st.open {
		return st.input(buf)
	}
	limit := cl.HeaderLimit
	if limit <= 0 {
		limit = http.DefaultHeaderLimit
	}
	if i := bytes.Index(buf[:min(len(buf), limit)], []byte("\r\n\r\n")); i >= 0 {
		return i + 4, nil
	}
	if len(buf) >= limit {
		c.Close()
		return 0, fmt.Errorf("websocket: handshake response exceeds %d bytes", limit)
	}
	return 0, nil
}

// Decode checks the handshake response (returning nil), then returns each
// message as Protocol.Decode does.
func (cl *Client) Decode(pkg []byte, c protocols.Conn) (any, error) {
	st := cl.state(c)
	if st.open {
		return st.decode(pkg)
	}
	resp, err := cl.checkResponse(pkg, st)
	if err != nil {
		c.Close()
		return nil, err
	}
	st.opened()
	if cl.OnWebSocketConnect != nil {
		guard(c, "OnWebSocketConnect", func() { cl.OnWebSocketConnect(c, resp) })
	}
	return nil, nil
}

// checkResponse applies RFC 6455 section 4.1 to the server's answer.
func (cl *Client) checkResponse(head []byte, st *connState) (*http.Response, error) {
	var h fasthttp.ResponseHeader
	if err := h.Read(bufio.NewReaderSize(bytes.NewReader(head), len(head))); err != nil {
		return nil, fmt.Errorf("websocket: parsing the handshake response: %w", err)
	}
	fields := http.Header{}
	for k, v := range h.All() {
		fields[string(k)] = string(v)
	}
	switch sp := string(h.Peek("Sec-WebSocket-Protocol")); {
	case h.StatusCode() != 101:
		return nil, fmt.Errorf("websocket: handshake answered with %d, not 101", h.StatusCode())
	case !http.HasToken(string(h.Peek("Upgrade")), "websocket"):
		return nil, fmt.Errorf("websocket: handshake response without Upgrade: websocket")
	case !http.HasToken(string(h.Peek("Connection")), "upgrade"):
		return nil, fmt.Errorf("websocket: handshake response without Connection: Upgrade")
	case string(h.Peek("Sec-WebSocket-Accept")) != st.key:
		return nil, fmt.Errorf("websocket: Sec-WebSocket-Accept %q does not match the key sent", h.Peek("Sec-WebSocket-Accept"))
	case sp != "" && !slices.Contains(cl.Subprotocols, sp):
		return nil, fmt.Errorf("websocket: server chose subprotocol %q, which was not offered", sp)
	}
	z, err := cl.Compression.accepted(string(bytes.Join(h.PeekAll("Sec-WebSocket-Extensions"), []byte(", "))))
	if err != nil {
		return nil, err
	}
	st.z = z
	return http.NewResponse(101, fields, ""), nil
}

// Encode appends a masked frame as Protocol.Encode appends an unmasked one.
func (cl *Client) Encode(dst []byte, v any, c protocols.Conn) ([]byte, error) {
	return cl.state(c).encode(dst, v)
}
