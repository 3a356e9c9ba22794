package http

import (
	"bytes"
	"fmt"
)

// DefaultHeaderLimit is the largest request head (request line, header
// fields and the blank line) a connection accepts unless Protocol.HeaderLimit
// says otherwise. A longer head is answered with 431.
const DefaultHeaderLimit = 16 << 10

// maxChunkLine bounds a chunk-size line with its extensions.
const maxChunkLine = 4 << 10

// maxChunkDigits is the most hex digits a chunk size may have: 16 fill an
// int64, and any size that large is past every body limit anyway.
const maxChunkDigits = 16

// badRequest is why a request can never be served: the status of the reply
// and the reason that goes to the log.
type badRequest struct {
	status int
	reason string
}

func (e *badRequest) Error() string { return fmt.Sprintf("http: %d: %s", e.status, e.reason) }

func bad(status int, format string, args ...any) *badRequest {
	return &badRequest{status: status, reason: fmt.Sprintf(format, args...)}
}

// framer finds where one request ends in the bytes a connection has received.
// It works on raw bytes because fasthttp only parses complete input, and it
// checks the head line by line as the lines arrive, remembering how far it
// got, so that a request arriving in many reads is not scanned again from its
// start each time.
type framer struct {
	framing
	last headMemo // the connection's last valid head, kept across requests
}

// framing is what framing one request finds; it holds no pointer, so reset
// is a plain clear rather than a copy with write barriers.
type framing struct {
	lineAt   int // where the first line not yet checked starts
	lead     int // bytes of empty lines before the request line
	searched int // bytes of that line already searched for its LF
	hosts    int // Host fields so far
	cls      int // Content-Length fields so far
	tes      int // Transfer-Encoding fields so far

	headFacts
	chunkAt int // offset of the next chunk-size line, or of the trailer section
	inTrail bool
	bodyLen int // data bytes of the chunks framed so far
	total   int // length of the whole request once it is known
}

// headFacts is what checking a head finds out: where it ends, how the body
// is framed, and what Decode and keep-alive need.
type headFacts struct {
	headLen   int // length of the head with its blank line; 0 until it is whole
	cl        int // Content-Length
	chunked   bool
	minor     byte // HTTP/1.minor
	close     bool // Connection: close
	keepAlive bool // Connection: keep-alive
	expect    bool // Expect: 100-continue
	head      bool // the method is HEAD
}

// reset readies the framer for the connection's next request.
func (f *framer) reset() { f.framing = framing{} }

// started reports whether any byte of the request has been seen.
func (f *framer) started() bool { return f.lineAt > 0 || f.searched > 0 || f.headLen > 0 }

// headDone reports whether the head is whole (the body may not be).
func (f *framer) headDone() bool { return f.headLen > 0 }

// next frames the request at the start of buf. It returns its length once the
// whole request is in buf, 0 while more bytes are needed, or why the request
// can never be served. headLimit caps the head, pkgLimit the whole request.
func (f *framer) next(buf []byte, headLimit, pkgLimit int) (int, *badRequest) {
	if f.total > 0 {
		if len(buf) >= f.total {
			return f.total, nil
		}
		return 0, nil
	}
	if f.headLen == 0 {
		if e := f.findHead(buf, headLimit, pkgLimit); e != nil || f.headLen == 0 {
			return 0, e
		}
		if !f.chunked {
			f.total = f.headLen + f.cl
			if f.total > pkgLimit {
				return 0, bad(413, "request of %d bytes exceeds the limit of %d", f.total, pkgLimit)
			}
			return f.next(buf, headLimit, pkgLimit)
		}
		f.chunkAt = f.headLen
	}
	return f.nextChunk(buf, pkgLimit)
}

// findHead checks each line of the head that has arrived whole, up to the
// blank line that ends it, and records what framing and keep-alive depend
// on. Header values are left to fasthttp; only the fields that decide where
// the request ends are read here.
func (f *framer) findHead(buf []byte, headLimit, pkgLimit int) *badRequest {
	if f.last.recall(buf, headLimit, pkgLimit, &f.headFacts) {
		return nil
	}
	window := buf[:min(len(buf), headLimit)]
	for {
		from := f.lineAt + f.searched
		lf := bytes.IndexByte(window[from:], '\n')
		if lf < 0 {
			if len(buf) >= headLimit {
				return bad(431, "request head exceeds %d bytes", headLimit)
			}
			if len(buf) >= pkgLimit {
				return bad(413, "incomplete request head reached the limit of %d bytes", pkgLimit)
			}
			f.searched = len(window) - f.lineAt
			return nil
		}
		lf += from
		line, ok := lineBefore(buf, f.lineAt, lf)
		switch {
		case f.lineAt == f.lead && ok && len(line) == 0:
			// An empty line before the request line is ignored (RFC 9112
			// section 2.2), as a client may send one after a body.
			f.lead = lf + 1
		case f.lineAt == f.lead:
			if !ok {
				return bad(400, "request line does not end with CRLF")
			}
			minor, e := requestLine(line)
			if e != nil {
				return e
			}
			f.minor = minor
			f.head = bytes.HasPrefix(line, []byte("HEAD "))
		case !ok:
			return bad(400, "header line does not end with CRLF")
		case len(line) == 0:
			if e := f.checkCounts(); e != nil {
				return e
			}
			f.headLen = lf + 1
			f.last.remember(buf[:f.headLen], headLimit, pkgLimit, f.headFacts)
			return nil
		default:
			if e := f.field(line, pkgLimit); e != nil {
				return e
			}
		}
		f.lineAt, f.searched = lf+1, 0
	}
}

// lineBefore returns the line from start to the LF at lf without its CRLF;
// ok is false when the LF is bare.
func lineBefore(b []byte, start, lf int) (line []byte, ok bool) {
	if lf == start || b[lf-1] != '\r' {
		return nil, false
	}
	return b[start : lf-1], true
}

// requestLine checks "method SP request-target SP HTTP/1.x" and returns the
// minor version.
func requestLine(line []byte) (byte, *badRequest) {
	sp := 0
	for sp < len(line) && tokenTable[line[sp]] {
		sp++
	}
	if sp == 0 || sp == len(line) || line[sp] != ' ' {
		if sp > 0 && sp < len(line) {
			return 0, bad(400, "invalid byte %#x in method", line[sp])
		}
		return 0, bad(400, "malformed request line")
	}
	rest := line[sp+1:]
	sp = 0
	for sp < len(rest) && rest[sp] > ' ' && rest[sp] != 0x7f {
		sp++
	}
	if sp == 0 || sp == len(rest) || rest[sp] != ' ' {
		if sp > 0 && sp < len(rest) {
			return 0, bad(400, "invalid byte %#x in request target", rest[sp])
		}
		return 0, bad(400, "malformed request line")
	}
	v := rest[sp+1:]
	if len(v) != 8 || string(v[:5]) != "HTTP/" || !isDigit(v[5]) || v[6] != '.' || !isDigit(v[7]) {
		return 0, bad(400, "malformed HTTP version %q", v)
	}
	if v[5] != '1' || v[7] > '1' {
		return 0, bad(505, "HTTP version %s is not supported", v[5:])
	}
	return v[7] - '0', nil
}

// field checks one header line and records it if it frames the body or
// decides keep-alive.
func (f *framer) field(line []byte, pkgLimit int) *badRequest {
	name, value, e := splitField(line)
	if e != nil {
		return e
	}
	switch len(name) {
	case 4:
		if equalFold(name, "host") {
			f.hosts++
			if !validHost(value) {
				return bad(400, "invalid Host %q", value)
			}
		}
	case 6:
		if equalFold(name, "expect") && equalFold(value, "100-continue") {
			f.expect = true
		}
	case 10:
		if equalFold(name, "connection") {
			f.connectionTokens(value)
		}
	case 14:
		if equalFold(name, "content-length") {
			f.cls++
			n, e := contentLength(value, pkgLimit)
			if e != nil {
				return e
			}
			f.cl = n
		}
	case 17:
		if equalFold(name, "transfer-encoding") {
			f.tes++
			if e := transferEncoding(value); e != nil {
				return e
			}
			f.chunked = true
		}
	}
	return nil
}

// checkCounts refuses a whole head whose fields contradict each other or
// that lacks a Host its version requires.
func (f *framer) checkCounts() *badRequest {
	switch {
	case f.cls > 1:
		return bad(400, "%d Content-Length fields", f.cls)
	case f.tes > 1:
		return bad(400, "%d Transfer-Encoding fields", f.tes)
	case f.tes > 0 && f.cls > 0:
		return bad(400, "both Content-Length and Transfer-Encoding")
	case f.tes > 0 && f.minor == 0:
		return bad(400, "Transfer-Encoding in an HTTP/1.0 request")
	case f.hosts > 1:
		return bad(400, "%d Host fields", f.hosts)
	case f.hosts == 0 && f.minor == 1:
		return bad(400, "no Host field in an HTTP/1.1 request")
	}
	return nil
}

// headerLine returns the trailer line at pos, whose LF is at pos+lf, without
// its CRLF, and where the next one starts.
func headerLine(b []byte, pos, lf int) (line []byte, next int, e *badRequest) {
	line, ok := lineBefore(b, pos, pos+lf)
	if !ok {
		return nil, 0, bad(400, "header line does not end with CRLF")
	}
	return line, pos + lf + 1, nil
}

// splitField splits "name: value", rejecting obs-fold, whitespace before the
// colon (RFC 9112 section 5.1) and bytes that may not appear in a field, a
// CR among them.
func splitField(line []byte) (name, value []byte, e *badRequest) {
	colon := 0
	for colon < len(line) && tokenTable[line[colon]] {
		colon++
	}
	switch {
	case colon > 0 && colon < len(line) && line[colon] == ':':
	case line[0] == ' ' || line[0] == '\t':
		return nil, nil, bad(400, "obsolete line folding")
	case colon == len(line) || line[colon] == ':':
		return nil, nil, bad(400, "header line without a field name and colon")
	default:
		return nil, nil, bad(400, "invalid byte %#x in field name", line[colon])
	}
	name, value = line[:colon], line[colon+1:]
	for _, b := range value {
		if !valueTable[b] {
			return nil, nil, bad(400, "invalid byte %#x in the value of %s", b, name)
		}
	}
	return name, trimOWS(value), nil
}

func (f *framer) connectionTokens(v []byte) {
	for len(v) > 0 {
		var tok []byte
		tok, v, _ = bytes.Cut(v, []byte{','})
		tok = trimOWS(tok)
		switch {
		case equalFold(tok, "close"):
			f.close = true
		case equalFold(tok, "keep-alive"):
			f.keepAlive = true
		}
	}
}

// contentLength reads 1*DIGIT. A value past the body limit is 413 whatever
// its size, so digits stop counting once they pass it.
func contentLength(v []byte, pkgLimit int) (int, *badRequest) {
	if len(v) == 0 {
		return 0, bad(400, "empty Content-Length")
	}
	n := 0
	for _, b := range v {
		if !isDigit(b) {
			return 0, bad(400, "invalid Content-Length %q", v)
		}
		if n <= pkgLimit {
			n = n*10 + int(b-'0')
		}
	}
	if n > pkgLimit {
		return 0, bad(413, "Content-Length %s exceeds the limit of %d", v, pkgLimit)
	}
	return n, nil
}

// transferEncoding accepts exactly "chunked". A list that ends in chunked
// names a coding this server does not implement (501); anything else leaves
// the body length unknowable (400, RFC 9112 section 6.3).
func transferEncoding(v []byte) *badRequest {
	if equalFold(v, "chunked") {
		return nil
	}
	if i := bytes.LastIndexByte(v, ','); i >= 0 && equalFold(trimOWS(v[i+1:]), "chunked") {
		return bad(501, "transfer coding %q is not supported", v)
	}
	return bad(400, "Transfer-Encoding %q does not end in chunked", v)
}

// nextChunk frames chunked data from f.chunkAt on (RFC 9112 section 7.1).
func (f *framer) nextChunk(buf []byte, pkgLimit int) (int, *badRequest) {
	for {
		pos := f.chunkAt
		if pos > pkgLimit {
			return 0, bad(413, "chunked request exceeds the limit of %d bytes", pkgLimit)
		}
		nl := bytes.IndexByte(buf[pos:], '\n')
		if nl < 0 {
			if len(buf) >= pkgLimit {
				return 0, bad(413, "chunked request reached the limit of %d bytes", pkgLimit)
			}
			if !f.inTrail && len(buf)-pos > maxChunkLine {
				return 0, bad(400, "chunk-size line longer than %d bytes", maxChunkLine)
			}
			return 0, nil
		}
		if f.inTrail {
			line, next, e := headerLine(buf, pos, nl)
			if e != nil {
				return 0, e
			}
			if len(line) == 0 {
				f.total = next
				return f.total, nil
			}
			if _, _, e := splitField(line); e != nil {
				return 0, e
			}
			f.chunkAt = next
			continue
		}
		line, ok := lineBefore(buf, pos, pos+nl)
		if !ok {
			return 0, bad(400, "chunk-size line does not end with CRLF")
		}
		size, e := chunkSize(line, pkgLimit)
		if e != nil {
			return 0, e
		}
		data := pos + nl + 1
		if size == 0 {
			f.inTrail = true
			f.chunkAt = data
			continue
		}
		end := data + size + 2
		if end > pkgLimit {
			return 0, bad(413, "chunked request exceeds the limit of %d bytes", pkgLimit)
		}
		if len(buf) < end {
			return 0, nil
		}
		if buf[end-2] != '\r' || buf[end-1] != '\n' {
			return 0, bad(400, "chunk data not followed by CRLF")
		}
		f.bodyLen += size
		f.chunkAt = end
	}
}

// chunkSize reads "1*HEXDIG [ BWS ; chunk-ext ]" and returns the size.
func chunkSize(line []byte, pkgLimit int) (int, *badRequest) {
	n, i := 0, 0
	for ; i < len(line); i++ {
		d, ok := unhex(line[i])
		if !ok {
			break
		}
		if i == maxChunkDigits {
			return 0, bad(400, "chunk size has more than %d hex digits", maxChunkDigits)
		}
		if n <= pkgLimit {
			n = n<<4 | int(d)
		}
	}
	if i == 0 {
		return 0, bad(400, "chunk size is not hexadecimal")
	}
	ext := line[i:]
	for len(ext) > 0 && (ext[0] == ' ' || ext[0] == '\t') {
		ext = ext[1:]
	}
	if len(ext) > 0 && ext[0] != ';' {
		return 0, bad(400, "invalid byte %#x after chunk size", ext[0])
	}
	for _, b := range ext {
		if (b < ' ' && b != '\t') || b == 0x7f {
			return 0, bad(400, "invalid byte %#x in chunk extension", b)
		}
	}
	if n > pkgLimit {
		return 0, bad(413, "chunk of %#x bytes exceeds the limit of %d", line[:i], pkgLimit)
	}
	return n, nil
}

// dechunk appends the data of the chunked body in b (already framed, so
// well-formed) to dst.
func dechunk(dst, b []byte) []byte {
	for {
		nl := bytes.IndexByte(b, '\n')
		size := 0
		for _, c := range b {
			d, ok := unhex(c)
			if !ok {
				break
			}
			size = size<<4 | int(d)
		}
		if size == 0 {
			return dst
		}
		b = b[nl+1:]
		dst = append(dst, b[:size]...)
		b = b[size+2:]
	}
}

func unhex(b byte) (byte, bool) {
	switch {
	case '0' <= b && b <= '9':
		return b - '0', true
	case 'a' <= b && b <= 'f':
		return b - 'a' + 10, true
	case 'A' <= b && b <= 'F':
		return b - 'A' + 10, true
	}
	return 0, false
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// isTokenByte reports whether b is a tchar of RFC 9110 section 5.6.2.
func isTokenByte(b byte) bool { return tokenTable[b] }

var tokenTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// valueTable holds the bytes a field value may contain (RFC 9110 section
// 5.5): tab, visible ASCII, space and obs-text; no other control byte.
// validHost reports whether a Host value is an authority without userinfo
// (RFC 9112 section 3.2, RFC 3986 section 3.2): a reg-name, IPv4 address or
// bracketed IP literal, with an optional port. It may be empty.
func validHost(v []byte) bool {
	host := v
	if len(v) > 0 && v[0] == '[' {
		end := bytes.IndexByte(v, ']')
		if end < 0 {
			return false
		}
		for _, c := range v[1:end] {
			if !hostTable[c] && c != ':' {
				return false
			}
		}
		host, v = nil, v[end+1:]
		if len(v) > 0 && v[0] != ':' {
			return false
		}
	}
	if i := bytes.IndexByte(v, ':'); i >= 0 {
		for _, c := range v[i+1:] {
			if !isDigit(c) {
				return false
			}
		}
		if host != nil {
			host = v[:i]
		}
	}
	for _, c := range host {
		if !hostTable[c] {
			return false
		}
	}
	return true
}

// hostTable holds the bytes of a reg-name: unreserved, sub-delims and the
// percent of pct-encoded.
var hostTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "-._~%!$&'()*+,;=" {
		t[c] = true
	}
	return t
}()

var valueTable = func() (t [256]bool) {
	for c := range t {
		t[c] = c == '\t' || (c >= ' ' && c != 0x7f)
	}
	return t
}()

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// equalFold compares b with the lower-case ASCII string s, ignoring case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
