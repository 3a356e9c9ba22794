package http

import (
	"sort"
	"strconv"
	"strings"

	"github.com/workerman-go/workerman/protocols"
)

// Header is a set of response headers given at once, as to NewResponse or
// WithHeaders. A map has no order, so its entries are written sorted by name;
// call WithHeader for a chosen order.
type Header map[string]string

// field is one header line of a Response.
type field struct{ name, value string }

// Response is an HTTP response under construction. Its With* methods change
// the response and return it, so calls chain:
//
//	c.Send(http.NewResponse(201, nil, "made").WithHeader("Location", "/items/7"))
//
// Header names are matched case-insensitively. A Response may be sent more
// than once; build a new one rather than changing one that another goroutine
// is sending.
type Response struct {
	status  int
	headers []field
	body    string
	more    *respMore // made by the With* calls that set it
}

// respMore is what few responses set, so that the rest, an event stream's
// head among them, are 64 bytes and their headers.
type respMore struct {
	reason  string
	version string
	file    *fileBody
	stream  *fileStream // the file body the last encode left to NotifyDrain
}

// extra returns the response's rare fields, making them on first use.
func (r *Response) extra() *respMore {
	if r.more == nil {
		r.more = &respMore{version: "1.1"}
	}
	return r.more
}

// file is the file body set with WithFile, nil when none is.
func (r *Response) file() *fileBody {
	if r.more == nil {
		return nil
	}
	return r.more.file
}

// setFile sets the file body, nil to drop it.
func (r *Response) setFile(fb *fileBody) {
	if fb != nil || r.more != nil {
		r.extra().file = fb
	}
}

// DefaultContentType is the Content-Type of a response that sets none.
const DefaultContentType = "text/html;charset=utf-8"

// NewResponse makes a response with a status (0 means 200), headers (written
// sorted by name) and a body.
func NewResponse(status int, headers Header, body string) *Response {
	r := &Response{status: status, body: body}
	if status == 0 {
		r.status = 200
	}
	if len(headers) > 0 {
		r.headers = appendHeader(make([]field, 0, len(headers)), headers)
	}
	return r
}

// appendHeader appends h's entries to fs sorted by name.
func appendHeader(fs []field, h Header) []field {
	names := make([]string, 0, len(h))
	for n := range h {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fs = append(fs, field{n, h[n]})
	}
	return fs
}

// WithHeader sets a header, replacing any value it had; a new name goes after
// the headers already set.
func (r *Response) WithHeader(name, value string) *Response {
	for i := range r.headers {
		if strings.EqualFold(r.headers[i].name, name) {
			r.headers[i].value = value
			r.removeHeader(name, i+1)
			return r
		}
	}
	r.headers = append(r.headers, field{name, value})
	return r
}

// WithHeaders adds every header of h (in name order). A name the response
// already has gets a second line after its existing ones, as Set-Cookie needs.
func (r *Response) WithHeaders(h Header) *Response {
	for _, f := range appendHeader(nil, h) {
		last := -1
		for i := range r.headers {
			if strings.EqualFold(r.headers[i].name, f.name) {
				last = i
			}
		}
		if last < 0 {
			r.headers = append(r.headers, f)
			continue
		}
		r.headers = append(r.headers, field{})
		copy(r.headers[last+2:], r.headers[last+1:])
		r.headers[last+1] = f
	}
	return r
}

// WithoutHeader removes every line of a header.
func (r *Response) WithoutHeader(name string) *Response {
	r.removeHeader(name, 0)
	return r
}

// removeHeader drops the lines named name from index from on.
func (r *Response) removeHeader(name string, from int) {
	kept := r.headers[:from]
	for _, f := range r.headers[from:] {
		if !strings.EqualFold(f.name, name) {
			kept = append(kept, f)
		}
	}
	clear(r.headers[len(kept):])
	r.headers = kept
}

// Header returns the first value of a header, "" when it is not set.
func (r *Response) Header(name string) string {
	for _, f := range r.headers {
		if strings.EqualFold(f.name, name) {
			return f.value
		}
	}
	return ""
}

// WithStatus sets the status code and, optionally, a reason phrase of its own
// (CR and LF are removed from it).
func (r *Response) WithStatus(code int, reason ...string) *Response {
	r.status = code
	if len(reason) > 0 {
		r.extra().reason = stripCRLF(reason[0])
	} else if r.more != nil {
		r.more.reason = ""
	}
	return r
}

// StatusCode is the response's status code.
func (r *Response) StatusCode() int { return r.status }

// ReasonPhrase is the reason phrase set with WithStatus, else the standard one
// for the status code ("" for a code without one).
func (r *Response) ReasonPhrase() string {
	if r.more != nil && r.more.reason != "" {
		return r.more.reason
	}
	return reasonPhrases[r.status]
}

// WithProtocolVersion sets the version in the status line, "1.1" unless set
// (CR and LF are removed). Responses to HTTP/1.0 requests say HTTP/1.1 too.
func (r *Response) WithProtocolVersion(version string) *Response {
	r.extra().version = stripCRLF(version)
	return r
}

// ProtocolVersion is the version in the status line.
func (r *Response) ProtocolVersion() string {
	if r.more == nil {
		return "1.1"
	}
	return r.more.version
}

// WithBody sets the body, replacing a file set with WithFile.
func (r *Response) WithBody(body string) *Response {
	r.body = body
	r.setFile(nil)
	return r
}

// Body is the response's body ("" for a file response).
func (r *Response) Body() string { return r.body }

// encodeOpts carries what the request side knows about the response it is
// answering.
type encodeOpts struct {
	head      bool     // the request was HEAD: headers (with Content-Length) but no body
	keepAlive bool     // false: write "Connection: close" (unless the app set Connection) instead of keep-alive
	extra     []string // whole header lines without CRLF added by the request side (session Set-Cookie)
}

// appendText appends the response to c.Send(body) with a string or []byte:
// status 200, Workerman's bytes.
func appendText[T string | []byte](dst []byte, body T, o encodeOpts) []byte {
	countStatus(200)
	dst = append(dst, "HTTP/1.1 200 OK\r\n"...)
	dst = appendLines(dst, o.extra)
	dst = appendConnection(dst, o.keepAlive)
	dst = append(dst, "Content-Type: "+DefaultContentType+"\r\n"...)
	dst = appendContentLength(dst, int64(len(body)))
	dst = append(dst, "\r\n"...)
	if !o.head {
		dst = append(dst, body...)
	}
	return dst
}

// encode appends the response: status line, the application's headers in
// order, the request side's extra lines, then Connection, Content-Type and
// Content-Length unless set (Content-Length always reflects the real body).
// An event stream ends after its head; a Transfer-Encoding response carries
// its body as the first chunk; a file response may leave the rest of the file
// to write as the connection drains (see streaming).
func (r *Response) encode(dst []byte, c protocols.Conn, o encodeOpts) ([]byte, error) {
	if r.more != nil {
		r.more.stream = nil
		if r.more.file != nil {
			return r.encodeFile(dst, c, o)
		}
	}
	dst, set := r.appendHead(dst, r.status, o)
	if set.contentType == "" {
		dst = append(dst, "Content-Type: "+DefaultContentType+"\r\n"...)
	}
	switch {
	case isEventStream(set.contentType):
		return append(dst, "\r\n"...), nil
	case set.chunked:
		dst = append(dst, "\r\n"...)
		if r.body != "" && !o.head {
			dst = appendChunk(dst, r.body)
		}
		return dst, nil
	case !bodyAllowed(r.status):
		return append(dst, "\r\n"...), nil
	}
	dst = appendContentLength(dst, int64(len(r.body)))
	dst = append(dst, "\r\n"...)
	if !o.head {
		dst = append(dst, r.body...)
	}
	return dst, nil
}

// headSet is what appendHead learnt of the application's headers.
type headSet struct {
	contentType string
	chunked     bool
}

// appendHead appends the status line, the application's valid headers (never
// its Content-Length: the body's real length is written instead), the extra
// lines and the Connection header unless the application set one.
func (r *Response) appendHead(dst []byte, status int, o encodeOpts) ([]byte, headSet) {
	var set headSet
	version, reason := "1.1", ""
	if r.more != nil {
		version, reason = r.more.version, r.more.reason
	}
	dst = appendStatusLine(dst, version, status, reason)
	connection := false
	for _, f := range r.headers {
		if !ValidField(f.name, f.value) {
			continue
		}
		switch len(f.name) {
		case len("Connection"):
			connection = connection || strings.EqualFold(f.name, "Connection")
		case len("Content-Type"):
			if set.contentType == "" && strings.EqualFold(f.name, "Content-Type") {
				set.contentType = f.value
			}
		case len("Content-Length"):
			if strings.EqualFold(f.name, "Content-Length") {
				continue
			}
		case len("Transfer-Encoding"):
			if strings.EqualFold(f.name, "Transfer-Encoding") {
				if r.file() != nil {
					continue // a file is framed by its Content-Length
				}
				set.chunked = true
			}
		}
		dst = appendField(dst, f.name, f.value)
	}
	dst = appendLines(dst, o.extra)
	if !connection {
		dst = appendConnection(dst, o.keepAlive)
	}
	return dst, set
}

// closes reports whether the application set "Connection: close".
func (r *Response) closes() bool {
	for _, f := range r.headers {
		if strings.EqualFold(f.name, "Connection") && HasToken(f.value, "close") {
			return true
		}
	}
	return false
}

// isEventStream reports whether the response opens a Server-Sent Events
// stream: Content-Type text/event-stream. Only its head is written and the
// connection stays open for the events.
func (r *Response) isEventStream() bool {
	return r.file() == nil && isEventStream(r.Header("Content-Type"))
}

func isEventStream(contentType string) bool {
	mediaType, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mediaType), "text/event-stream")
}

// streaming reports whether the last encode left part of a file body to be
// written each time the connection's send buffer drains. It stays true until
// the last byte is queued (or the stream is abandoned).
func (r *Response) streaming() bool {
	return r.more != nil && r.more.stream != nil && !r.more.stream.done
}

// bodyAllowed is false for statuses that never carry a body (RFC 9110 §6.4.1):
// 1xx, 204 and 304. They get no Content-Length either.
func bodyAllowed(status int) bool {
	return status >= 200 && status != 204 && status != 304
}

func appendStatusLine(dst []byte, version string, status int, reason string) []byte {
	countStatus(status)
	if version == "1.1" && status == 200 && reason == "" {
		return append(dst, "HTTP/1.1 200 OK\r\n"...)
	}
	if version == "" {
		version = "1.1"
	}
	if reason == "" {
		reason = reasonPhrases[status]
	}
	dst = append(dst, "HTTP/"...)
	dst = append(dst, version...)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, ' ')
	dst = append(dst, reason...)
	return append(dst, "\r\n"...)
}

func appendConnection(dst []byte, keepAlive bool) []byte {
	if keepAlive {
		return append(dst, "Connection: keep-alive\r\n"...)
	}
	return append(dst, "Connection: close\r\n"...)
}

func appendContentLength(dst []byte, n int64) []byte {
	dst = append(dst, "Content-Length: "...)
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, "\r\n"...)
}

func appendField(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	dst = append(dst, value...)
	return append(dst, "\r\n"...)
}

// appendLines appends whole header lines, skipping any that would split the
// response.
func appendLines(dst []byte, lines []string) []byte {
	for _, l := range lines {
		if l != "" && !strings.ContainsAny(l, "\r\n\x00") {
			dst = append(dst, l...)
			dst = append(dst, "\r\n"...)
		}
	}
	return dst
}

// ValidField guards against response splitting: a header is written only if
// its name is an RFC 9110 token and its value holds no CR, LF or NUL.
// Anything else is left out without a word, as Workerman does. Protocols that
// write heads of their own (a WebSocket handshake) check their fields with it.
func ValidField(name, value string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isTokenByte(name[i]) {
			return false
		}
	}
	return !strings.ContainsAny(value, "\r\n\x00")
}

// HasToken reports whether a comma-separated header value lists token,
// ignoring case: "Connection: keep-alive, Upgrade" has "upgrade".
func HasToken(value, token string) bool {
	for value != "" {
		var t string
		t, value, _ = strings.Cut(value, ",")
		if strings.EqualFold(strings.TrimSpace(t), token) {
			return true
		}
	}
	return false
}

func stripCRLF(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", "", "\n", "").Replace(s)
}
