package websocket

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/workerman-go/workerman/protocols"
	"github.com/workerman-go/workerman/protocols/http"
)

// Handshake is the server's answer to an opening handshake, which
// OnWebSocketConnect may shape.
type Handshake struct {
	// Header holds extra header fields for the 101 answer (a Set-Cookie, say).
	// Fields whose name is not a token, or whose value holds CR, LF or NUL,
	// are left out.
	Header http.Header
	// Subprotocol is the Sec-WebSocket-Protocol the server speaks; it must be
	// one the client offered (see Subprotocols), else it is left out.
	Subprotocol string
	// Reject, when set, is sent instead of the 101 and the connection ends.
	Reject *http.Response
}

// Subprotocols lists the subprotocols a handshake request offers, in the
// client's order of preference.
func Subprotocols(req *http.Request) []string {
	var list []string
	for _, s := range strings.Split(req.Header("Sec-WebSocket-Protocol"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			list = append(list, s)
		}
	}
	return list
}

// acceptGUID is the fixed string of RFC 6455 section 1.3 that the accept key
// is hashed with.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// acceptKey is the Sec-WebSocket-Accept value for a Sec-WebSocket-Key.
func acceptKey(key string) string {
	sum := sha1.Sum([]byte(key + acceptGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// handshakeConn is the connection as the HTTP protocol sees it while it
// frames and parses the handshake request: the HTTP protocol's state is kept
// apart from the WebSocket one, and the request may be no larger than its head.
type handshakeConn struct {
	protocols.Conn
	st    *connState
	limit int
	state any
}

func (h *handshakeConn) ProtocolState() any     { return h.state }
func (h *handshakeConn) SetProtocolState(v any) { h.state = v }
func (h *handshakeConn) PackageLimit() int      { return h.limit }

// CloseWhenFlushed is left to the WebSocket protocol, which ends the
// connection itself after any HTTP response it sends.
func (h *handshakeConn) CloseWhenFlushed() {}

// handshake returns the connection as the HTTP protocol sees it.
func (st *connState) handshake(hp *http.Protocol) *handshakeConn {
	if st.hs == nil {
		limit := hp.HeaderLimit
		if limit <= 0 {
			limit = http.DefaultHeaderLimit
		}
		st.hs = &handshakeConn{Conn: st.c, st: st, limit: min(limit, st.c.PackageLimit())}
	}
	return st.hs
}

// handshake answers a whole handshake request: 101 and the connection is
// open, or an HTTP error and the connection ends.
func (p *Protocol) handshake(pkg []byte, st *connState) error {
	hs := st.handshake(p.hp)
	v, err := p.hp.Decode(pkg, hs)
	if err != nil {
		return err // the HTTP protocol answered 400
	}
	defer func() {
		p.hp.OnClose(hs) // the request ends with its callbacks
		st.hs = nil
	}()
	req := v.(*http.Request)
	key, herr := checkHandshake(req)
	if herr != nil {
		if herr.status == 400 && p.OnRequest != nil && !http.HasToken(req.Header("Upgrade"), "websocket") {
			p.serveHTTP(st, req)
			return nil
		}
		st.c.End(refusal(herr))
		return herr
	}
	var h Handshake
	if p.OnWebSocketConnect != nil && !guard(st.c, "OnWebSocketConnect", func() { p.OnWebSocketConnect(st.c, req, &h) }) {
		return nil
	}
	if h.Reject != nil {
		b, err := p.hp.Encode(nil, h.Reject, hs)
		if err != nil {
			return err
		}
		st.c.End(b)
		return nil
	}
	if h.Subprotocol != "" && !slices.Contains(Subprotocols(req), h.Subprotocol) {
		slog.Warn("workerman: websocket subprotocol not offered by the client, left out", "id", st.c.ID(), "subprotocol", h.Subprotocol)
		h.Subprotocol = ""
	}
	ext, z := p.Compression.accept(req.Header("Sec-WebSocket-Extensions"))
	if st.c.SendRaw(appendSwitch(nil, key, ext, &h)) != nil {
		return nil // OnWebSocketConnect closed the connection
	}
	st.z = z
	st.opened()
	if p.OnWebSocketConnected != nil {
		guard(st.c, "OnWebSocketConnected", func() { p.OnWebSocketConnected(st.c, req) })
	}
	return nil
}

// serveHTTP answers a plain HTTP request with OnRequest's response (404 when
// it returns nil), then ends the connection.
func (p *Protocol) serveHTTP(st *connState, req *http.Request) {
	var resp *http.Response
	if !guard(st.c, "OnRequest", func() { resp = p.OnRequest(st.c, req) }) {
		return
	}
	if resp == nil {
		resp = http.NewResponse(404, nil, "404 Not Found")
	}
	b, err := p.hp.Encode(nil, resp.WithHeader("Connection", "close"), st.hs)
	if err != nil {
		slog.Warn("workerman: websocket OnRequest response", "id", st.c.ID(), "err", err)
	}
	st.c.End(b)
}

// checkHandshake applies RFC 6455 section 4.2.1 to a request and returns its
// Sec-WebSocket-Key.
func checkHandshake(req *http.Request) (string, *handshakeError) {
	switch {
	case !http.HasToken(req.Header("Upgrade"), "websocket"):
		return "", &handshakeError{400, "not a WebSocket handshake: no Upgrade: websocket"}
	case req.Method() != "GET":
		return "", &handshakeError{400, "handshake method is " + req.Method() + ", not GET"}
	case req.ProtocolVersion() != "1.1":
		return "", &handshakeError{400, "handshake over HTTP/" + req.ProtocolVersion() + ", not 1.1"}
	case !http.HasToken(req.Header("Connection"), "upgrade"):
		return "", &handshakeError{400, "handshake without Connection: Upgrade"}
	}
	switch v := req.Header("Sec-WebSocket-Version"); v {
	case "13":
	case "":
		return "", &handshakeError{400, "handshake without Sec-WebSocket-Version"}
	default:
		return "", &handshakeError{426, "Sec-WebSocket-Version " + strconv.Quote(v) + " is not 13"}
	}
	key := req.Header("Sec-WebSocket-Key")
	if b, err := base64.StdEncoding.DecodeString(key); err != nil || len(b) != 16 {
		return "", &handshakeError{400, "Sec-WebSocket-Key " + strconv.Quote(key) + " is not 16 bytes in base64"}
	}
	return key, nil
}

// refusal is the HTTP answer to a refused handshake; it names the version
// this server speaks, as section 4.4 asks.
func refusal(e *handshakeError) []byte {
	reason := "Bad Request"
	if e.status == 426 {
		reason = "Upgrade Required"
	}
	body := fmt.Sprintf("%d %s: %s", e.status, reason, e.reason)
	return fmt.Appendf(nil, "HTTP/1.1 %d %s\r\nSec-WebSocket-Version: 13\r\nConnection: close\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s", e.status, reason, len(body), body)
}

// appendSwitch appends the 101 that opens the connection, with the
// extensions accepted, if any.
func appendSwitch(dst []byte, key, ext string, h *Handshake) []byte {
	dst = append(dst, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	dst = append(dst, acceptKey(key)...)
	dst = append(dst, "\r\n"...)
	if h.Subprotocol != "" && http.ValidField("Sec-WebSocket-Protocol", h.Subprotocol) {
		dst = append(dst, "Sec-WebSocket-Protocol: "+h.Subprotocol+"\r\n"...)
	}
	if ext != "" {
		dst = append(dst, "Sec-WebSocket-Extensions: "+ext+"\r\n"...)
		delete(h.Header, "Sec-WebSocket-Extensions") // the one negotiated is the one that holds
	}
	return append(appendFields(dst, h.Header), "\r\n"...)
}

// appendFields appends the header lines of fields, sorted by name for
// repeatable bytes, leaving out any that could split the head.
func appendFields(dst []byte, fields map[string]string) []byte {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if value := fields[name]; http.ValidField(name, value) {
			dst = append(dst, name+": "+value+"\r\n"...)
		}
	}
	return dst
}

// guard runs a callback of the application; a panic is logged and counted,
// ends the connection, and guard reports false.
func guard(c protocols.Conn, where string, fn func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			c.Loop().Recovered(where, r)
			c.Close()
			ok = false
		}
	}()
	fn()
	return true
}
