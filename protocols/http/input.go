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
// remembers how far it got so that a request arriving in many reads is not
// scanned again from its start each time.
type framer struct {
	scanned int // bytes searched for the end of the head so far
	lineOK  bool

	headLen int // length of the head with its blank line; 0 until it is whole
	cl      int // Content-Length
	chunked bool
	chunkAt int // offset of the next chunk-size line, or of the trailer section
	inTrail bool
	bodyLen int // data bytes of the chunks framed so far
	total   int // length of the whole request once it is known

	// facts from the head, for Decode and keep-alive
	minor     byte // HTTP/1.minor
	close     bool // Connection: close
	keepAlive bool // Connection: keep-alive
	expect    bool // Expect: 100-continue
	head      bool // the method is HEAD
}

func (f *framer) reset() { *f = framer{} }

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

var crlfcrlf = []byte("\r\n\r\n")

// findHead looks for the blank line that ends the head and checks the head
// once it is whole.
func (f *framer) findHead(buf []byte, headLimit, pkgLimit int) *badRequest {
	if !f.lineOK {
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			if i == 0 || buf[i-1] != '\r' {
				return bad(400, "request line does not end with CRLF")
			}
			if _, e := f.requestLine(buf[:i-1]); e != nil {
				return e
			}
			f.lineOK = true
		}
	}
	window := buf[:min(len(buf), headLimit)]
	from := max(f.scanned-3, 0)
	i := bytes.Index(window[from:], crlfcrlf)
	if i < 0 {
		if len(buf) >= headLimit {
			return bad(431, "request head exceeds %d bytes", headLimit)
		}
		if len(buf) >= pkgLimit {
			return bad(413, "incomplete request head reached the limit of %d bytes", pkgLimit)
		}
		f.scanned = len(window)
		return nil
	}
	end := from + i + 4
	if e := f.parseHead(buf[:end], pkgLimit); e != nil {
		return e
	}
	f.headLen = end
	return nil
}

// requestLine checks "method SP request-target SP HTTP/1.x" and returns the
// minor version.
func (f *framer) requestLine(line []byte) (byte, *badRequest) {
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return 0, bad(400, "malformed request line")
	}
	for _, b := range line[:sp] {
		if !isTokenByte(b) {
			return 0, bad(400, "invalid byte %#x in method", b)
		}
	}
	rest := line[sp+1:]
	sp = bytes.IndexByte(rest, ' ')
	if sp <= 0 {
		return 0, bad(400, "malformed request line")
	}
	for _, b := range rest[:sp] {
		if b <= ' ' || b == 0x7f {
			return 0, bad(400, "invalid byte %#x in request target", b)
		}
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

// parseHead checks every line of a whole head and records what framing and
// keep-alive depend on. Header values are left to fasthttp; only the fields
// that decide where the request ends are read here.
func (f *framer) parseHead(head []byte, pkgLimit int) *badRequest {
	nl := bytes.IndexByte(head, '\n')
	minor, e := f.requestLine(head[:nl-1])
	if e != nil {
		return e
	}
	f.minor = minor
	f.head = bytes.HasPrefix(head, []byte("HEAD "))
	var hosts, cls, tes int
	pos := nl + 1
	for {
		line, next, e := headerLine(head, pos)
		if e != nil {
			return e
		}
		if len(line) == 0 {
			break
		}
		pos = next
		name, value, e := splitField(line)
		if e != nil {
			return e
		}
		switch len(name) {
		case 4:
			if equalFold(name, "host") {
				hosts++
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
				cls++
				n, e := contentLength(value, pkgLimit)
				if e != nil {
					return e
				}
				f.cl = n
			}
		case 17:
			if equalFold(name, "transfer-encoding") {
				tes++
				if e := transferEncoding(value); e != nil {
					return e
				}
				f.chunked = true
			}
		}
	}
	switch {
	case cls > 1:
		return bad(400, "%d Content-Length fields", cls)
	case tes > 1:
		return bad(400, "%d Transfer-Encoding fields", tes)
	case tes > 0 && cls > 0:
		return bad(400, "both Content-Length and Transfer-Encoding")
	case tes > 0 && minor == 0:
		return bad(400, "Transfer-Encoding in an HTTP/1.0 request")
	case hosts > 1:
		return bad(400, "%d Host fields", hosts)
	case hosts == 0 && minor == 1:
		return bad(400, "no Host field in an HTTP/1.1 request")
	}
	return nil
}

// headerLine returns the line at pos without its CRLF, and where the next
// one starts. Lines end with CRLF; a bare CR or LF is an error.
func headerLine(b []byte, pos int) (line []byte, next int, e *badRequest) {
	nl := bytes.IndexByte(b[pos:], '\n')
	if nl < 0 {
		return nil, 0, nil // the caller only passes whole heads and trailers
	}
	if nl == 0 || b[pos+nl-1] != '\r' {
		return nil, 0, bad(400, "header line does not end with CRLF")
	}
	line = b[pos : pos+nl-1]
	if bytes.IndexByte(line, '\r') >= 0 {
		return nil, 0, bad(400, "bare CR in a header line")
	}
	return line, pos + nl + 1, nil
}

// splitField splits "name: value", rejecting obs-fold, whitespace before the
// colon (RFC 9112 section 5.1) and bytes that may not appear in a field.
func splitField(line []byte) (name, value []byte, e *badRequest) {
	if line[0] == ' ' || line[0] == '\t' {
		return nil, nil, bad(400, "obsolete line folding")
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return nil, nil, bad(400, "header line without a field name and colon")
	}
	name = line[:colon]
	for _, b := range name {
		if !isTokenByte(b) {
			return nil, nil, bad(400, "invalid byte %#x in field name", b)
		}
	}
	value = line[colon+1:]
	for _, b := range value {
		if (b < ' ' && b != '\t') || b == 0x7f {
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
			line, next, e := headerLine(buf, pos)
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
		if nl == 0 || buf[pos+nl-1] != '\r' {
			return 0, bad(400, "chunk-size line does not end with CRLF")
		}
		size, e := chunkSize(buf[pos:pos+nl-1], pkgLimit)
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
func isTokenByte(b byte) bool { return b < 0x80 && tokenTable[b] }

var tokenTable = func() (t [128]bool) {
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
